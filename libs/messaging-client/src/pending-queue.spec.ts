import { PendingQueue } from './pending-queue';

describe('PendingQueue', () => {
  it('keeps sends in the order they were queued', () => {
    const q = new PendingQueue();
    for (const id of ['a', 'b', 'c']) q.enqueue({ clientMessageId: id, channelId: 'ch', body: id });
    expect(q.list().map((i) => i.clientMessageId)).toEqual(['a', 'b', 'c']);
    expect(q.head()?.clientMessageId).toBe('a');
    q.remove('a');
    expect(q.head()?.clientMessageId).toBe('b');
  });

  it('the same clientMessageId twice is one entry', () => {
    const q = new PendingQueue();
    q.enqueue({ clientMessageId: 'a', channelId: 'ch', body: 'x' });
    q.enqueue({ clientMessageId: 'a', channelId: 'ch', body: 'x' });
    expect(q.size).toBe(1);
  });

  it('counts attempts per entry and keeps its clientMessageId across them', () => {
    const q = new PendingQueue();
    q.enqueue({ clientMessageId: 'a', channelId: 'ch', body: 'x' });
    expect(q.recordAttempt('a')).toBe(1);
    expect(q.recordAttempt('a')).toBe(2);
    expect(q.head()).toMatchObject({ clientMessageId: 'a', attempts: 2 });
    expect(q.recordAttempt('missing')).toBe(0);
  });

  it('list() is a copy: callers cannot reorder the queue', () => {
    const q = new PendingQueue();
    q.enqueue({ clientMessageId: 'a', channelId: 'ch', body: 'x' });
    q.list()[0].clientMessageId = 'changed';
    expect(q.head()?.clientMessageId).toBe('a');
  });
});
