import 'reflect-metadata';
import { IsString, MinLength } from 'class-validator';
import { findUnsafeInput, MAX_INPUT_DEPTH, unsafeStringProblem, validateInto } from './validation';

class Named {
  @IsString() @MinLength(1)
  firstName!: string;
}

/** `depth` arrays inside each other, built without recursion. */
function nested(depth: number): unknown {
  let v: unknown = [];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
}

describe('issue 11: untrusted payloads are checked before transformation', () => {
  describe('unsafeStringProblem', () => {
    it.each([
      ['a NUL', 'a\u0000b', 'must not contain a NUL character'],
      ['a lone high surrogate', 'a\ud800b', 'must not contain a lone surrogate (invalid UTF-16)'],
      ['a lone low surrogate', '\udc00', 'must not contain a lone surrogate (invalid UTF-16)'],
      ['a high surrogate at the end', 'x\ud83d', 'must not contain a lone surrogate (invalid UTF-16)'],
      ['two high surrogates', '\ud83d\ud83d\ude00', 'must not contain a lone surrogate (invalid UTF-16)'],
    ])('refuses %s', (_name, s, problem) => {
      expect(unsafeStringProblem(s)).toBe(problem);
    });

    it.each(['', 'plain', '😀 emoji pairs 👍🏽', 'ünïcödé', '\u200d', 'tab\tnewline\n'])('accepts %j', (s) => {
      expect(unsafeStringProblem(s)).toBeNull();
    });

    it('decides in linear time on a long hostile string', () => {
      const started = Date.now();
      expect(unsafeStringProblem('\ud800'.repeat(200_000) + 'x')).not.toBeNull();
      expect(unsafeStringProblem('\ud83d\ude00'.repeat(200_000))).toBeNull();
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  });

  describe('findUnsafeInput', () => {
    it('names the field of a NUL in a nested string', () => {
      expect(findUnsafeInput({ data: { names: ['ok', 'b\u0000d'] } })).toEqual({ field: 'data.names[1]', problems: ['must not contain a NUL character'] });
    });

    it('names the object whose key holds a NUL (the key itself is not echoed)', () => {
      expect(findUnsafeInput({ data: { 'fir\u0000st': 'x' } }, { root: 'body' })).toEqual({ field: 'body.data', problems: ['a key must not contain a NUL character'] });
    });

    it.each(['__proto__', 'constructor', 'prototype'])('refuses a %j key (JSON.parse makes it an own property)', (key) => {
      expect(findUnsafeInput(JSON.parse(`{"a":{"${key}":{"isAdmin":true}}}`))).toEqual({ field: 'a', problems: [`must not have a "${key}" key`] });
    });

    it('prefixes the root name', () => {
      expect(findUnsafeInput({ patientId: 'p\ud800' }, { root: 'query' })).toEqual({ field: 'query.patientId', problems: ['must not contain a lone surrogate (invalid UTF-16)'] });
      expect(findUnsafeInput('\u0000', { root: 'body' })).toEqual({ field: 'body', problems: ['must not contain a NUL character'] });
    });

    it(`accepts ${MAX_INPUT_DEPTH} levels and refuses one more`, () => {
      expect(findUnsafeInput(nested(MAX_INPUT_DEPTH))).toBeNull();
      expect(findUnsafeInput(nested(MAX_INPUT_DEPTH + 1), { root: 'body' })).toEqual({ field: 'body', problems: [`must not be nested more than ${MAX_INPUT_DEPTH} levels deep`] });
    });

    it('walks 100,000 levels without overflowing its stack', () => {
      expect(findUnsafeInput(nested(100_000))?.problems).toEqual([`must not be nested more than ${MAX_INPUT_DEPTH} levels deep`]);
    });

    it.each([null, undefined, 0, 1e308, true, {}, [], { a: [1, 'x', null, { b: false }] }])('accepts %j', (v) => {
      expect(findUnsafeInput(v)).toBeNull();
    });
  });

  describe('validateInto (events and commands on entry)', () => {
    it('refuses a NUL before class-validator, naming the field', async () => {
      await expect(validateInto(Named, { firstName: 'Pa\u0000t' })).resolves.toEqual({ value: null, errors: [{ field: 'firstName', problems: ['must not contain a NUL character'] }] });
    });

    it('refuses 10,000 levels of nesting instead of overflowing class-transformer', async () => {
      const result = await validateInto(Named, { firstName: 'x', extra: nested(10_000) });
      expect(result.errors).toEqual([{ field: '(root)', problems: [`must not be nested more than ${MAX_INPUT_DEPTH} levels deep`] }]);
    });

    it('still transforms what is safe', async () => {
      const result = await validateInto(Named, { firstName: 'Pat 😀' });
      expect(result.value).toBeInstanceOf(Named);
      expect(result.value?.firstName).toBe('Pat 😀');
    });
  });
});
