import { parseRange } from './media-range';

describe('parseRange (HTTP Range: bytes=…)', () => {
  it.each([
    ['bytes=0-9', { start: 0, end: 9 }],
    ['bytes=10-', { start: 10, end: 99 }],
    ['bytes=-5', { start: 95, end: 99 }],
    ['bytes=90-200', { start: 90, end: 99 }],
    ['bytes=-500', { start: 0, end: 99 }],
  ])('%s of 100 bytes → %j', (header, range) => {
    expect(parseRange(header, 100)).toEqual(range);
  });

  it.each([['bytes=100-'], ['bytes=50-10'], ['bytes=-0']])('%s of 100 bytes → unsatisfiable (416)', (header) => {
    expect(parseRange(header, 100)).toBeNull();
  });

  it.each([[undefined], ['items=0-1'], ['bytes=0-1,5-9'], ['bytes=-']])('%s → the whole file', (header) => {
    expect(parseRange(header, 100)).toBeUndefined();
  });
});
