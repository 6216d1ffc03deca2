import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor, ChannelView, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { correlationIdOf } from '../http/correlation-id.middleware';

/** For users with messaging:manage (checked by the channels service). The audit trail: `admin/audit.controller.ts`. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin')
export class ChannelsAdminController {
  constructor(private readonly rpc: RpcClient) {}

  /** Channels left without a team member (archived-member fallback found nobody). */
  @Get('channels/needs-staffing')
  needsStaffing(@CurrentActor() actor: Actor, @Req() req: Request): Promise<ChannelView[]> {
    return this.rpc.send(Rpc.ChannelsNeedingStaff, { actor }, { correlationId: correlationIdOf(req) });
  }
}
