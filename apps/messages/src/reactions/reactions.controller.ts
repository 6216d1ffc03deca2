import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { MessageView, ReactRequest, Rpc } from '@wellifiy/contracts';
import { AmqpContext } from '@wellifiy/messaging';
import { ReactionsService } from './reactions.service';

@Controller()
export class ReactionsController {
  constructor(private readonly reactions: ReactionsService) {}

  @MessagePattern(Rpc.MessagesReact)
  react(@Payload() req: ReactRequest, @Ctx() ctx: AmqpContext): Promise<MessageView> {
    return this.reactions.react({ ...req, correlationId: ctx.correlationId });
  }
}
