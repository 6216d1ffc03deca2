import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor, AuditEntryView, ChannelView, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { correlationIdOf } from '../http/correlation-id.middleware';
import { AuditQuery } from './channels.dto';

/** For users with messaging:manage (checked by the channels service). */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin')
export class ChannelsAdminController {
  constructor(private readonly rpc: RpcClient) {}

  /** Append-only trail of membership changes and permission-based actions in the organisation. */
  @Get('audit')
  audit(@CurrentActor() actor: Actor, @Query() q: AuditQuery, @Req() req: Request): Promise<AuditEntryView[]> {
    return this.rpc.send(Rpc.ChannelsAudit, { actor, ...q }, { correlationId: correlationIdOf(req) });
  }

  /** Channels left without a team member (archived-member fallback found nobody). */
  @Get('channels/needs-staffing')
  needsStaffing(@CurrentActor() actor: Actor, @Req() req: Request): Promise<ChannelView[]> {
    return this.rpc.send(Rpc.ChannelsNeedingStaff, { actor }, { correlationId: correlationIdOf(req) });
  }
}
