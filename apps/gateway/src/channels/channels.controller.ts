import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor, ChannelView, Rpc } from '@wellifiy/contracts';
import { RpcClient } from '@wellifiy/messaging';
import { CurrentActor } from '../auth/current-actor.decorator';
import { correlationIdOf } from '../http/correlation-id.middleware';
import { ActivateParams, ChannelIdParams, ListChannelsQuery } from './channels.dto';

@ApiTags('channels')
@ApiBearerAuth()
@Controller('v1')
export class ChannelsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get('channels')
  list(@CurrentActor() actor: Actor, @Query() q: ListChannelsQuery, @Req() req: Request): Promise<ChannelView[]> {
    return this.rpc.send(Rpc.ChannelsList, { actor, ...q }, { correlationId: correlationIdOf(req) });
  }

  @Get('channels/:id')
  get(@CurrentActor() actor: Actor, @Param() p: ChannelIdParams, @Req() req: Request): Promise<ChannelView> {
    return this.rpc.send(Rpc.ChannelsGet, { actor, channelId: p.id }, { correlationId: correlationIdOf(req) });
  }

  /** Manual activation of a patient's care_team / service_team channel. */
  @Post('patients/:patientId/channels/:type/activate')
  @HttpCode(200)
  activate(@CurrentActor() actor: Actor, @Param() p: ActivateParams, @Req() req: Request): Promise<ChannelView> {
    return this.rpc.send(Rpc.ChannelsActivate, { actor, patientId: p.patientId, type: p.type }, { correlationId: correlationIdOf(req) });
  }
}
