import 'reflect-metadata';
import { ArgumentMetadata } from '@nestjs/common';
import { DomainError } from '@wellifiy/contracts';
import { ActivateParams, ChannelIdParams, ListChannelsQuery } from '../channels/channels.dto';
import { ListMessagesQuery, SendMessageDto } from '../messages/messages.dto';
import { createValidationPipe } from './validation.pipe';

type FieldErrors = { field: string; problems: string[] }[];

const pipe = createValidationPipe();

function run(value: unknown, type: ArgumentMetadata['type'], metatype: ArgumentMetadata['metatype']): Promise<unknown> {
  return pipe.transform(value, { type, metatype });
}

/** The DomainError the pipe throws; fails the test if it does not throw one. */
async function refusal(value: unknown, type: ArgumentMetadata['type'], metatype: ArgumentMetadata['metatype']): Promise<DomainError & { details: FieldErrors }> {
  try {
    await run(value, type, metatype);
  } catch (err) {
    if (err instanceof DomainError) return err as DomainError & { details: FieldErrors };
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

const fieldsOf = (err: { details: FieldErrors }): string[] => err.details.map((d) => d.field).sort();

describe('gateway validation pipe with the REST DTOs', () => {
  describe('SendMessageDto (body)', () => {
    it('accepts a valid message and returns a SendMessageDto', async () => {
      const v = await run({ clientMessageId: 'web-1:abc_2.x', body: 'Hello there' }, 'body', SendMessageDto);

      expect(v).toBeInstanceOf(SendMessageDto);
      expect(v).toEqual({ clientMessageId: 'web-1:abc_2.x', body: 'Hello there' });
    });

    it('accepts a body of exactly 10 000 characters', async () => {
      await expect(run({ clientMessageId: 'c1', body: 'x'.repeat(10_000) }, 'body', SendMessageDto)).resolves.toMatchObject({ clientMessageId: 'c1' });
    });

    it('refuses an unknown field with VALIDATION_FAILED naming it', async () => {
      const err = await refusal({ clientMessageId: 'c1', body: 'hi', senderId: 'tm_admin' }, 'body', SendMessageDto);

      expect(err.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(err)).toEqual(['senderId']);
    });

    it('refuses a body over 10 000 characters, naming body', async () => {
      const err = await refusal({ clientMessageId: 'c1', body: 'x'.repeat(10_001) }, 'body', SendMessageDto);

      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.details).toEqual([{ field: 'body', problems: ['body must be at most 10000 characters'] }]);
      expect(err.message).toContain('body');
    });

    it.each(['', '   ', '\n\t  \r\n'])('refuses a whitespace-only body %j', async (body) => {
      const err = await refusal({ clientMessageId: 'c1', body }, 'body', SendMessageDto);

      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.details).toEqual([{ field: 'body', problems: ['body must not be empty'] }]);
    });

    it.each(['has space', 'slash/y', 'emoji😀', '$where', ''])('refuses clientMessageId %j', async (clientMessageId) => {
      const err = await refusal({ clientMessageId, body: 'hi' }, 'body', SendMessageDto);

      expect(err.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(err)).toEqual(['clientMessageId']);
    });

    it('refuses a clientMessageId over 128 characters', async () => {
      const err = await refusal({ clientMessageId: 'a'.repeat(129), body: 'hi' }, 'body', SendMessageDto);

      expect(fieldsOf(err)).toEqual(['clientMessageId']);
    });

    it('refuses a body that is not a string', async () => {
      const err = await refusal({ clientMessageId: 'c1', body: { $gt: '' } }, 'body', SendMessageDto);

      expect(fieldsOf(err)).toEqual(['body']);
    });

    it('lists every bad field at once', async () => {
      const err = await refusal({ clientMessageId: 'bad id', body: ' ', extra: 1 }, 'body', SendMessageDto);

      expect(err.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(err)).toEqual(['body', 'clientMessageId', 'extra']);
    });
  });

  describe('ListMessagesQuery (query)', () => {
    it('converts numeric query strings', async () => {
      await expect(run({ after: '5', limit: '20' }, 'query', ListMessagesQuery)).resolves.toEqual({ after: 5, limit: 20 });
      await expect(run({ before: '7' }, 'query', ListMessagesQuery)).resolves.toEqual({ before: 7 });
    });

    it('accepts an empty query', async () => {
      await expect(run({}, 'query', ListMessagesQuery)).resolves.toEqual({});
    });

    it('refuses after=abc, naming after', async () => {
      const err = await refusal({ after: 'abc' }, 'query', ListMessagesQuery);

      expect(err.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(err)).toEqual(['after']);
    });

    it.each([['500'], ['0'], ['1.5'], ['-1']])('refuses limit=%s', async (limit) => {
      const err = await refusal({ limit }, 'query', ListMessagesQuery);

      expect(err.code).toBe('VALIDATION_FAILED');
      expect(fieldsOf(err)).toEqual(['limit']);
    });

    it('refuses before=0 and after=-1', async () => {
      const err = await refusal({ before: '0', after: '-1' }, 'query', ListMessagesQuery);

      expect(fieldsOf(err)).toEqual(['after', 'before']);
    });

    it('refuses an unknown query parameter', async () => {
      const err = await refusal({ after: '1', sort: 'desc' }, 'query', ListMessagesQuery);

      expect(fieldsOf(err)).toEqual(['sort']);
    });
  });

  describe('ListChannelsQuery (query)', () => {
    it('turns archived=true/false into booleans', async () => {
      await expect(run({ archived: 'true' }, 'query', ListChannelsQuery)).resolves.toEqual({ archived: true });
      await expect(run({ archived: 'false', type: 'group' }, 'query', ListChannelsQuery)).resolves.toEqual({ archived: false, type: 'group' });
    });

    it('refuses archived=yes, naming archived', async () => {
      const err = await refusal({ archived: 'yes' }, 'query', ListChannelsQuery);

      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.details).toEqual([{ field: 'archived', problems: ['archived must be true or false'] }]);
    });

    it('refuses an unknown channel type', async () => {
      const err = await refusal({ type: 'broadcast' }, 'query', ListChannelsQuery);

      expect(fieldsOf(err)).toEqual(['type']);
    });
  });

  describe('ActivateParams and ChannelIdParams (param)', () => {
    it.each(['care_team', 'service_team'])('accepts type=%s', async (type) => {
      await expect(run({ patientId: 'pat_1', type }, 'param', ActivateParams)).resolves.toEqual({ patientId: 'pat_1', type });
    });

    it.each(['staff', 'dm', 'group'])('refuses activation of type=%s', async (type) => {
      const err = await refusal({ patientId: 'pat_1', type }, 'param', ActivateParams);

      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.details).toEqual([{ field: 'type', problems: ['type must be one of: care_team, service_team'] }]);
    });

    it('refuses a channel id over 128 characters', async () => {
      const err = await refusal({ id: 'c'.repeat(129) }, 'param', ChannelIdParams);

      expect(fieldsOf(err)).toEqual(['id']);
    });
  });
});
