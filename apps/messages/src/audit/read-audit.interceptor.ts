import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { concatMap, Observable } from 'rxjs';
import { Actor, MessagePage } from '@wellifiy/contracts';
import { AuditRepository } from './audit.repository';

/**
 * Read access audit of message reads (DESIGN §3): who fetched which channel's messages (or which thread),
 * when, how many and which seqs — after a successful read and before it is answered (a read whose row could
 * not be written fails, so none goes unrecorded), no content.
 */
@Injectable()
export class ReadAuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditRepository) {}

  intercept(context: ExecutionContext, next: CallHandler<MessagePage>): Observable<MessagePage> {
    const req = context.switchToRpc().getData<{ actor: Actor; channelId: string; messageId?: string }>();
    return next.handle().pipe(
      concatMap(async (page) => {
        const seqs = page.messages.map((m) => m.seq);
        await this.audit.recordRead({
          orgId: req.actor.orgId,
          channelId: req.channelId,
          userId: req.actor.userId,
          userKind: req.actor.kind,
          what: req.messageId ? 'thread' : 'timeline',
          ...(req.messageId ? { messageId: req.messageId } : {}),
          count: seqs.length,
          ...(seqs.length ? { fromSeq: Math.min(...seqs), toSeq: Math.max(...seqs) } : {}),
          at: new Date(),
        });
        return page;
      }),
    );
  }
}
