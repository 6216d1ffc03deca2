import 'reflect-metadata';
import { CallHandler, ExecutionContext } from '@nestjs/common';
import { firstValueFrom, lastValueFrom, of, throwError } from 'rxjs';
import { MessagePage } from '@wellifiy/contracts';
import { patientActor } from '@wellifiy/testing';
import { AuditRepository, MessageAuditEntry, ReadAccessEntry } from './audit.repository';
import { ReadAuditInterceptor } from './read-audit.interceptor';

class FakeAudit extends AuditRepository {
  readonly reads: ReadAccessEntry[] = [];
  recordChange(_entry: MessageAuditEntry): Promise<void> {
    return Promise.resolve();
  }
  recordRead(entry: ReadAccessEntry): Promise<void> {
    this.reads.push(entry);
    return Promise.resolve();
  }
}

/** An audit store whose writes finish (or fail) only when the test says so. */
class HeldAudit extends FakeAudit {
  private settle: ((err?: Error) => void) | undefined;
  override recordRead(entry: ReadAccessEntry): Promise<void> {
    void super.recordRead(entry);
    const write = new Promise<void>((resolve, reject) => {
      this.settle = (err) => (err ? reject(err) : resolve());
    });
    // Marked handled so a caller that ignores the write (the old fire-and-forget buffer) fails the test, not the runner.
    write.catch(() => undefined);
    return write;
  }
  finish(err?: Error): void {
    this.settle?.(err);
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

  it('durable audit: a read is answered only once its audit row is written (no in-memory buffer a crash could lose)', async () => {
    const audit = new HeldAudit();
    let answered = false;
    const answer = firstValueFrom(new ReadAuditInterceptor(audit).intercept(rpcContext({ actor, channelId: 'ch_1' }), { handle: () => of(page([1])) }))
      .then((p) => {
        answered = true;
        return p;
      });
    await new Promise((resolve) => setImmediate(resolve));
    expect({ recorded: audit.reads.length, answered }).toEqual({ recorded: 1, answered: false });
    audit.finish();
    await expect(answer).resolves.toMatchObject({ messages: [{ seq: 1 }] });
  });

  it('durable audit: a read whose audit row cannot be written fails instead of going unrecorded', async () => {
    const audit = new HeldAudit();
    const answer = firstValueFrom(new ReadAuditInterceptor(audit).intercept(rpcContext({ actor, channelId: 'ch_1' }), { handle: () => of(page([1])) }));
    await new Promise((resolve) => setImmediate(resolve));
    audit.finish(new Error('database unavailable'));
    await expect(answer).rejects.toThrow('database unavailable');
  });
});
