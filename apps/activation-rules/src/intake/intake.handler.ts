import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { ChannelChangedEvent, Events, PatientCreatedEvent, PendingStaffingRequest, PendingStaffingView, Rpc } from '@wellifiy/contracts';
import { AmqpCallMeta, AmqpContext } from '@wellifiy/messaging';
import { IntakeService } from './intake.service';

@Controller()
export class IntakeHandler {
  constructor(private readonly intake: IntakeService) {}

  @EventPattern(Events.PatientCreated)
  patientCreated(@Payload() e: PatientCreatedEvent, @Ctx() ctx: AmqpContext): Promise<void> {
    const { attempt } = ctx.getArgByIndex(0) as AmqpCallMeta;
    return this.intake.patientCreated({ orgId: e.orgId, eventId: e.id, patient: e.data, attempt: attempt ?? 1, correlationId: ctx.correlationId });
  }

  @EventPattern(Events.ChannelCreated)
  channelCreated(@Payload() e: ChannelChangedEvent): Promise<void> {
    return this.intake.channelCreated(e.orgId, e.data.channel);
  }

  @MessagePattern(Rpc.ActivationRulesPending)
  pending(@Payload() req: PendingStaffingRequest): Promise<PendingStaffingView[]> {
    return this.intake.pending(req.actor, req.type);
  }
}
