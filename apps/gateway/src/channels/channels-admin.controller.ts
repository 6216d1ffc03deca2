import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { correlationIdOf } from '../http/correlation-id.middleware';
import { AuditQuery } from './channels.dto';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { AuditEntryView, ChannelView } from './channels.view';

/** For users with messaging:manage (checked by the channels service). */
@ApiTags('admin')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1/admin')
export class ChannelsAdminController {
  constructor(private readonly rpc: RpcClient) {}

  /** Append-only trail of membership changes and permission-based actions in the organisation. */
  @ApiOkResponse({ type: [AuditEntryView] })
  @ApiErrors(400)
  @Get('audit')
  audit(@CurrentActor() actor: Actor, @Query() q: AuditQuery, @Req() req: Request): Promise<AuditEntryView[]> {
    return this.rpc.send(Rpc.ChannelsAudit, { actor, ...q }, { correlationId: correlationIdOf(req) });
  }

  /** Channels left without a team member (archived-member fallback found nobody). */
  @ApiOkResponse({ type: [ChannelView] })
  @Get('channels/needs-staffing')
  needsStaffing(@CurrentActor() actor: Actor, @Req() req: Request): Promise<ChannelView[]> {
    return this.rpc.send(Rpc.ChannelsNeedingStaff, { actor }, { correlationId: correlationIdOf(req) });
  }
}
