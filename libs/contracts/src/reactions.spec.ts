import { isValidReaction } from './reactions';

describe('isValidReaction', () => {
  it.each(['like', 'love', 'thumbs_up', '👍', '👍🏽', '❤️', '🎉', '👨‍👩‍👧', '🇳🇿', '#️⃣'])('accepts %j', (value) => {
    expect(isValidReaction(value)).toBe(true);
  });

  it.each(['', 'Like', 'hello', 'like ', '1', '#', 'a👍', '👍 ', '$gt', 'x.y', '<b>', '🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂', 'x'.repeat(40)])('refuses %j', (value) => {
    expect(isValidReaction(value)).toBe(false);
  });
});
