import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { ChannelMemberView, ChannelView, GetChannelRequest, MemberRequest, NeedingStaffRequest, Rpc } from '@wellifiy/contracts';
import { AmqpContext } from '@wellifiy/messaging';
import { AuditService } from '../audit/audit.service';
import { MembersService } from './members.service';

@Controller()
export class MembersController {
  constructor(
    private readonly members: MembersService,
    private readonly audit: AuditService,
  ) {}

  /** A member list carries real names: the read is in the audit trail before it is answered. */
  @MessagePattern(Rpc.ChannelsMembers)
  async list(@Payload() req: GetChannelRequest): Promise<ChannelMemberView[]> {
    const members = await this.members.list(req.actor, req.channelId);
    await this.audit.recordRead(req.actor, 'channel.members.read', { channelId: req.channelId });
    return members;
  }

  @MessagePattern(Rpc.ChannelsAddMember)
  add(@Payload() req: MemberRequest, @Ctx() ctx: AmqpContext): Promise<ChannelView> {
    return this.members.add({ ...req, correlationId: ctx.correlationId });
  }

  @MessagePattern(Rpc.ChannelsRemoveMember)
  remove(@Payload() req: MemberRequest, @Ctx() ctx: AmqpContext): Promise<ChannelView> {
    return this.members.remove({ ...req, correlationId: ctx.correlationId });
  }

  @MessagePattern(Rpc.ChannelsLeave)
  leave(@Payload() req: GetChannelRequest, @Ctx() ctx: AmqpContext): Promise<{ left: true }> {
    return this.members.leave(req.actor, req.channelId, ctx.correlationId);
  }

  @MessagePattern(Rpc.ChannelsArchive)
  archive(@Payload() req: GetChannelRequest, @Ctx() ctx: AmqpContext): Promise<ChannelView> {
    return this.members.setArchived(req.actor, req.channelId, true, ctx.correlationId);
  }

  @MessagePattern(Rpc.ChannelsUnarchive)
  unarchive(@Payload() req: GetChannelRequest, @Ctx() ctx: AmqpContext): Promise<ChannelView> {
    return this.members.setArchived(req.actor, req.channelId, false, ctx.correlationId);
  }

  @MessagePattern(Rpc.ChannelsNeedingStaff)
  needingStaff(@Payload() req: NeedingStaffRequest): Promise<ChannelView[]> {
    return this.members.needingStaff(req.actor);
  }
}
