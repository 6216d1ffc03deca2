import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { DeleteMessageRequest, EditMessageRequest, MessageView, Rpc } from '@wellifiy/contracts';
import { AmqpContext } from '@wellifiy/messaging';
import { EditsService } from './edits.service';

@Controller()
export class EditsController {
  constructor(private readonly edits: EditsService) {}

  @MessagePattern(Rpc.MessagesEdit)
  edit(@Payload() req: EditMessageRequest, @Ctx() ctx: AmqpContext): Promise<MessageView> {
    return this.edits.edit({ ...req, correlationId: ctx.correlationId });
  }

  @MessagePattern(Rpc.MessagesDelete)
  delete(@Payload() req: DeleteMessageRequest, @Ctx() ctx: AmqpContext): Promise<MessageView> {
    return this.edits.delete({ ...req, correlationId: ctx.correlationId });
  }
}
