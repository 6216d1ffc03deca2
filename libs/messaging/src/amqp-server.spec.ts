import { Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '@wellifiy/contracts';
import { toErrorBody } from './amqp-server';

function named(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

describe('toErrorBody (errors a command handler throws, as its caller receives them)', () => {
  const logger = new Logger('test');
  beforeEach(() => {
    jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });

  it('keeps the code and message of a domain error', () => {
    expect(toErrorBody(new DomainError(ErrorCode.NotFound, 'channel not found'), logger)).toEqual({ code: ErrorCode.NotFound, message: 'channel not found' });
  });

  it.each(['MongoNetworkError', 'MongoServerSelectionError', 'MongoNotConnectedError', 'MongoPoolClearedError'])(
    'reports %s (the database went away mid-request) as SERVICE_UNAVAILABLE, so the client gets 503 and retries',
    (name) => {
      expect(toErrorBody(named(name, 'connection 11 to 127.0.0.1:27017 closed'), logger)).toEqual({
        code: ErrorCode.ServiceUnavailable,
        message: 'the database is unavailable; retry shortly',
      });
    },
  );

  it('reports anything else as INTERNAL without its message', () => {
    expect(toErrorBody(named('MongoServerError', 'E11000 secret detail'), logger)).toEqual({ code: ErrorCode.Internal, message: 'internal error' });
  });
});
