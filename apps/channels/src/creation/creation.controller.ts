import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { CreateChannelRequest, CreateChannelResult, Rpc } from '@wellifiy/contracts';
import { AmqpContext } from '@wellifiy/messaging';
import { CreationService } from './creation.service';

@Controller()
export class CreationController {
  constructor(private readonly creation: CreationService) {}

  @MessagePattern(Rpc.ChannelsCreate)
  create(@Payload() req: CreateChannelRequest, @Ctx() ctx: AmqpContext): Promise<CreateChannelResult> {
    return this.creation.create({ ...req, correlationId: ctx.correlationId });
  }
}
