import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { ChannelView } from './channels.view';

/** For users with messaging:manage (checked by the channels service). The audit trail: `admin/audit.controller.ts`. */
@ApiTags('admin')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1/admin')
export class ChannelsAdminController {
  constructor(private readonly rpc: RpcClient) {}

  /** Channels left without a team member (archived-member fallback found nobody). */
  @ApiOkResponse({ type: [ChannelView] })
  @Get('channels/needs-staffing')
  needsStaffing(@CurrentActor() actor: Actor): Promise<ChannelView[]> {
    return this.rpc.send(Rpc.ChannelsNeedingStaff, { actor });
  }
}
