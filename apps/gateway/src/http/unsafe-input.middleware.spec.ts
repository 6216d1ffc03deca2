import 'reflect-metadata';
import type { Request, Response } from 'express';
import { DomainError } from '@wellifiy/contracts';
import { MAX_INPUT_DEPTH } from '@wellifiy/messaging';
import { findUnsafeRequestPart, UnsafeInputMiddleware } from './unsafe-input.middleware';

const request = (over: Partial<Pick<Request, 'originalUrl' | 'query' | 'body'>> = {}): Pick<Request, 'originalUrl' | 'query' | 'body'> => ({ originalUrl: '/v1/channels', query: {}, body: undefined, ...over });

/** What the middleware passed to `next`: undefined to go on, or the error. */
function run(req: Pick<Request, 'originalUrl' | 'query' | 'body'>): unknown {
  let passed: unknown = 'not called';
  new UnsafeInputMiddleware().use(req as Request, {} as Response, (err?: unknown) => {
    passed = err;
  });
  return passed;
}

describe('issue 11: hostile input is refused at the gateway edge, before routing and transformation', () => {
  it.each([
    ['/v1/channels/%00/members'],
    ['/v1/channels/a%00b'],
    ['/v1/media/med_%00/thumbnail'],
  ])('a NUL in the path %s', (path) => {
    expect(findUnsafeRequestPart(request({ originalUrl: path }))).toEqual({ field: 'path', problems: ['must not contain a NUL character'] });
  });

  it('percent-encoding that is not UTF-8 (a lone surrogate cannot be encoded otherwise)', () => {
    expect(findUnsafeRequestPart(request({ originalUrl: '/v1/channels/%ED%A0%80?after=1' }))).toEqual({ field: 'path', problems: ['must be valid percent-encoded UTF-8'] });
  });

  it('only the path is decoded as a path: the query is checked once parsed', () => {
    expect(findUnsafeRequestPart(request({ originalUrl: '/v1/channels?x=%00', query: {} }))).toBeNull();
  });

  it('a NUL in a query value names the parameter', () => {
    expect(findUnsafeRequestPart(request({ query: { patientId: 'p\u0000' } }))).toEqual({ field: 'query.patientId', problems: ['must not contain a NUL character'] });
  });

  it('a lone surrogate in a body string names the field', () => {
    expect(findUnsafeRequestPart(request({ body: { body: 'hi \ud800' } }))).toEqual({ field: 'body.body', problems: ['must not contain a lone surrogate (invalid UTF-16)'] });
  });

  it('a body nested too deep', () => {
    let deep: unknown = [];
    for (let i = 0; i < 5_000; i++) deep = [deep];
    expect(findUnsafeRequestPart(request({ body: { body: deep } }))).toEqual({ field: 'body', problems: [`must not be nested more than ${MAX_INPUT_DEPTH} levels deep`] });
  });

  it('a plain request passes, unicode and emoji included', () => {
    expect(run(request({ originalUrl: '/v1/channels/ch_1/messages/msg_1/reactions/%F0%9F%91%8D?after=5', query: { after: '5' }, body: { body: 'Grüße 😀' } }))).toBeUndefined();
  });

  it('refuses with VALIDATION_FAILED naming the field, in the 400 error shape', () => {
    const err = run(request({ body: { clientMessageId: 'c1', body: 'x\u0000' } }));

    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', message: 'body.body: must not contain a NUL character', details: [{ field: 'body.body', problems: ['must not contain a NUL character'] }] });
  });
});
