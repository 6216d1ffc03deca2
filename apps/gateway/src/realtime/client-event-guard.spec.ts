import { payloadProblem, SocketEventBudget } from './client-event-guard';

describe('client → server socket event checks', () => {
  it.each([
    ['a NUL character', { channelId: 'ch_\u0000' }, /NUL/],
    ['a lone high surrogate', { channelId: 'ch_\uD800' }, /lone surrogate/],
    ['a lone low surrogate', { channelId: '\uDC00ch' }, /lone surrogate/],
    ['a NUL in a key', { ['a\u0000']: 1 }, /NUL/],
    ['a bad string deep in an array', [[{ x: ['ok', '\uDFFF'] }]], /lone surrogate/],
    ['nesting beyond the limit', JSON.parse('['.repeat(20) + ']'.repeat(20)), /nested deeper/],
  ])('item 3: a payload with %s is refused, naming the problem', (_what, payload, problem) => {
    expect(payloadProblem(payload)).toMatch(problem);
  });

  it.each([
    ['plain ids', { channelId: 'ch_123' }],
    ['emoji (a valid surrogate pair)', { text: 'hi 🎉' }],
    ['non-string values', [1, true, null, { n: 2 }]],
  ])('accepts %s', (_what, payload) => {
    expect(payloadProblem(payload)).toBeNull();
  });

  it('item 3: a socket may send at most the configured events per minute; the next window starts afresh', () => {
    let now = 1_000_000;
    const budget = new SocketEventBudget(3, () => now);
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
    now += 30_000;
    expect(budget.take()).toBe(false);
    expect(budget.retryAfterMs()).toBe(30_000);
    now += 30_000;
    expect(budget.take()).toBe(true);
  });
});
