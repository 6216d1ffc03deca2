import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import {
  ActivateChannelRequest, ChannelView, GetChannelRequest, ListChannelsRequest, MembershipCheckRequest, MembershipCheckResult,
  MembershipsRequest, MembershipsResult, PingResult, Rpc,
} from '@wellifiy/contracts';
import { AmqpContext } from '@wellifiy/messaging';
import { ChannelsService } from './channels.service';

@Controller()
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @MessagePattern(Rpc.ChannelsPing)
  ping(): PingResult {
    return { service: 'channels', ok: true };
  }

  @MessagePattern(Rpc.ChannelsActivate)
  activate(@Payload() req: ActivateChannelRequest, @Ctx() ctx: AmqpContext): Promise<ChannelView> {
    return this.channels.activate({ actor: req.actor, patientId: req.patientId, type: req.type, correlationId: ctx.correlationId });
  }

  @MessagePattern(Rpc.ChannelsList)
  list(@Payload() { actor, ...query }: ListChannelsRequest): Promise<ChannelView[]> {
    return this.channels.list(actor, query);
  }

  @MessagePattern(Rpc.ChannelsGet)
  get(@Payload() req: GetChannelRequest): Promise<ChannelView> {
    return this.channels.get(req.actor, req.channelId);
  }

  @MessagePattern(Rpc.ChannelsMemberships)
  async memberships(@Payload() req: MembershipsRequest): Promise<MembershipsResult> {
    return { channelIds: await this.channels.membershipIds(req.actor) };
  }

  @MessagePattern(Rpc.ChannelsMembershipCheck)
  membershipCheck(@Payload() req: MembershipCheckRequest): Promise<MembershipCheckResult> {
    return this.channels.membershipCheck(req.orgId, req.channelId);
  }
}
