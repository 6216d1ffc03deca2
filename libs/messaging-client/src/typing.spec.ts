import { TypingThrottle } from './typing';

describe('TypingThrottle', () => {
  it('lets one signal per channel through per interval', () => {
    const t = new TypingThrottle(1500);
    expect(t.shouldSend('a', 0)).toBe(true);
    expect(t.shouldSend('a', 100)).toBe(false);
    expect(t.shouldSend('b', 100)).toBe(true);
    expect(t.shouldSend('a', 1499)).toBe(false);
    expect(t.shouldSend('a', 1500)).toBe(true);
  });

  it('after a send the next keystroke signals at once', () => {
    const t = new TypingThrottle(1500);
    t.shouldSend('a', 0);
    t.reset('a');
    expect(t.shouldSend('a', 10)).toBe(true);
  });
});
