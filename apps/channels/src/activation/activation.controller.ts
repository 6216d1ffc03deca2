import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { ActivateForPatientRequest, ActivateForPatientResult, Rpc } from '@wellifiy/contracts';
import { AmqpContext } from '@wellifiy/messaging';
import { ActivationService } from './activation.service';

/** Service-to-service: the activation-rules intake creates a patient's channel with the team members it chose. */
@Controller()
export class ActivationController {
  constructor(private readonly activation: ActivationService) {}

  @MessagePattern(Rpc.ChannelsActivateForPatient)
  activateForPatient(@Payload() req: ActivateForPatientRequest, @Ctx() ctx: AmqpContext): Promise<ActivateForPatientResult> {
    return this.activation.activateForPatient({ ...req, correlationId: ctx.correlationId });
  }
}
