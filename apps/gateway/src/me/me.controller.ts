import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { UpdateProfileDto } from './me.dto';
import { ApiErrors, COMMON_ERRORS } from '../docs/error.view';
import { MeView } from './me.view';

@ApiTags('me')
@ApiBearerAuth()
@ApiErrors(...COMMON_ERRORS)
@Controller('v1/me')
export class MeController {
  constructor(private readonly rpc: RpcClient) {}

  @ApiOkResponse({ type: MeView })
  @Get()
  me(@CurrentActor() actor: Actor): Promise<MeView> {
    return this.rpc.send(Rpc.ChannelsMe, { actor });
  }

  /** Patients set the display name and avatar other patients see. */
  @ApiOkResponse({ type: MeView })
  @ApiErrors(400, 404)
  @Patch('profile')
  updateProfile(@CurrentActor() actor: Actor, @Body() dto: UpdateProfileDto): Promise<MeView> {
    return this.rpc.send(Rpc.ChannelsUpdateProfile, { actor, ...dto });
  }
}
