import 'reflect-metadata';
import { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, of, throwError } from 'rxjs';
import { MessagePage } from '@wellifiy/contracts';
import { patientActor } from '@wellifiy/testing';
import { AuditRepository, MessageAuditEntry, ReadAccessEntry } from './audit.repository';
import { ReadAuditInterceptor } from './read-audit.interceptor';

class FakeAudit extends AuditRepository {
  readonly reads: ReadAccessEntry[] = [];
  recordChange(_entry: MessageAuditEntry): Promise<void> {
    return Promise.resolve();
  }
  recordRead(entry: ReadAccessEntry): void {
    this.reads.push(entry);
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}

const rpcContext = (data: unknown): ExecutionContext => ({ switchToRpc: () => ({ getData: () => data }) }) as unknown as ExecutionContext;
const page = (seqs: number[]): MessagePage => ({
  messages: seqs.map((seq) => ({ id: `m${seq}`, channelId: 'ch_1', seq, senderId: 'tm_1', senderKind: 'team_member', clientMessageId: `c${seq}`, body: 'secret text', createdAt: new Date().toISOString() })),
  hasMore: false,
});

describe('ReadAuditInterceptor (read access audit)', () => {
  const actor = patientActor({ userId: 'pat_1' });

  it('records who read which channel, how many and which seqs — never the content', async () => {
    const audit = new FakeAudit();
    const handler: CallHandler<MessagePage> = { handle: () => of(page([4, 5, 7])) };
    await lastValueFrom(new ReadAuditInterceptor(audit).intercept(rpcContext({ actor, channelId: 'ch_1' }), handler));
    expect(audit.reads).toEqual([
      { orgId: 'org_1', channelId: 'ch_1', userId: 'pat_1', userKind: 'patient', what: 'timeline', count: 3, fromSeq: 4, toSeq: 7, at: expect.any(Date) },
    ]);
    expect(JSON.stringify(audit.reads)).not.toContain('secret');
  });

  it('a thread read names its root; an empty page is still a read', async () => {
    const audit = new FakeAudit();
    await lastValueFrom(new ReadAuditInterceptor(audit).intercept(rpcContext({ actor, channelId: 'ch_1', messageId: 'root_1' }), { handle: () => of(page([])) }));
    expect(audit.reads).toEqual([expect.objectContaining({ what: 'thread', messageId: 'root_1', count: 0 })]);
    expect(audit.reads[0]).not.toHaveProperty('fromSeq');
  });

  it('a refused read (e.g. not a member) is not recorded as a read', async () => {
    const audit = new FakeAudit();
    const failing: CallHandler<MessagePage> = { handle: () => throwError(() => new Error('NOT_FOUND')) };
    await expect(lastValueFrom(new ReadAuditInterceptor(audit).intercept(rpcContext({ actor, channelId: 'ch_1' }), failing))).rejects.toThrow('NOT_FOUND');
    expect(audit.reads).toEqual([]);
  });
});
