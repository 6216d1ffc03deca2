import { Controller, UseInterceptors } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { ListMessagesRequest, MessagePage, PingResult, Rpc, SendMessageRequest, SendMessageResult } from '@wellifiy/contracts';
import { AmqpContext } from '@wellifiy/messaging';
import { ReadAuditInterceptor } from '../audit/read-audit.interceptor';
import { MessagesService } from './messages.service';

@Controller()
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @MessagePattern(Rpc.MessagesPing)
  ping(): PingResult {
    return { service: 'messages', ok: true };
  }

  @MessagePattern(Rpc.MessagesSend)
  send(@Payload() req: SendMessageRequest, @Ctx() ctx: AmqpContext): Promise<SendMessageResult> {
    return this.messages.send({ ...req, correlationId: ctx.correlationId });
  }

  @MessagePattern(Rpc.MessagesList)
  @UseInterceptors(ReadAuditInterceptor)
  list(@Payload() req: ListMessagesRequest): Promise<MessagePage> {
    return this.messages.list(req);
  }
}
