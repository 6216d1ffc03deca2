import { oneOrIn } from './filters';

describe('oneOrIn', () => {
  it('is an equality for one distinct value and $in for several', () => {
    expect(oneOrIn(['a'])).toBe('a');
    expect(oneOrIn(['a', 'a'])).toBe('a');
    expect(oneOrIn(['a', 'b', 'a'])).toEqual({ $in: ['a', 'b'] });
    expect(oneOrIn([])).toEqual({ $in: [] });
  });
});
