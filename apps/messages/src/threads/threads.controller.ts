import { Controller, UseInterceptors } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { ListRepliesRequest, MessagePage, ReplyRequest, Rpc, SendMessageResult } from '@wellifiy/contracts';
import { AmqpContext } from '@wellifiy/messaging';
import { ReadAuditInterceptor } from '../audit/read-audit.interceptor';
import { ThreadsService } from './threads.service';

@Controller()
export class ThreadsController {
  constructor(private readonly threads: ThreadsService) {}

  @MessagePattern(Rpc.MessagesReply)
  reply(@Payload() req: ReplyRequest, @Ctx() ctx: AmqpContext): Promise<SendMessageResult> {
    return this.threads.reply({ ...req, correlationId: ctx.correlationId });
  }

  @MessagePattern(Rpc.MessagesListReplies)
  @UseInterceptors(ReadAuditInterceptor)
  listReplies(@Payload() req: ListRepliesRequest): Promise<MessagePage> {
    return this.threads.listReplies(req);
  }
}
