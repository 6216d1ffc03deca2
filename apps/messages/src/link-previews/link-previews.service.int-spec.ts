import { randomUUID } from 'node:crypto';
import { InMemoryPatientKeyStore, KeyHierarchy, KeyRing } from '@wellifiy/crypto';
import { DocumentLocks, EventSeal, OutboxEntry, OutboxRelay } from '@wellifiy/messaging';
import { MongoModule } from '@wellifiy/persistence';
import { IntegrationModule, integrationModule, LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS, uniqueName } from '@wellifiy/testing';
import { MessageCipher } from '../encryption/message-cipher';
import { MESSAGE_MODEL, MessageSchema } from '../messages/message.schema';
import { MessageChanges } from '../messages/message-changes';
import { MessageMapper } from '../messages/message.mapper';
import { MessageStore, MongoMessageStore } from '../messages/message.store';
import { LinkPreviewsService } from './link-previews.service';
import { PreviewFetcher } from './preview-fetcher';

/** The preview lands on the stored message, encrypted, with message.updated in its outbox (FerretDB). */
describe('LinkPreviewsService.setPreview over the message store (FerretDB)', () => {
  const org = uniqueName('org');
  const dispatched: { id: string; types: string[] }[] = [];
  let suite: IntegrationModule;
  let messages: MessageStore;
  let previews: LinkPreviewsService;
  const preview = { url: 'https://clinic.example/news?id=42', title: 'Clinic news', siteName: 'Clinic' };

  beforeAll(async () => {
    // The relay's publishing is not under test here: record what would be published instead.
    const record = (id: string, entries: { type: string }[]): void => void dispatched.push({ id, types: entries.map((e) => e.type) });
    const ring = KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID);
    // Entries are stored as the real relay stores them (content events sealed).
    const sealing = new OutboxRelay(undefined as never, 'it-previews', { sweepIntervalMs: 60_000, graceMs: 60_000, batchSize: 50 }, new EventSeal(ring));
    const relay = {
      register: () => undefined,
      toStored: (entries: OutboxEntry[]) => sealing.toStored(entries),
      dispatch: async (_m: unknown, id: string, entries: { type: string }[]) => record(id, entries),
      dispatchSoon: (_m: unknown, id: string, entries: { type: string }[]) => record(id, entries),
    };
    suite = await integrationModule({
      database: MongoModule,
      dbPrefix: 'it-previews',
      models: [{ name: MESSAGE_MODEL, schema: MessageSchema }],
      providers: [
        { provide: DocumentLocks, useValue: new DocumentLocks() },
        { provide: MessageCipher, useValue: new MessageCipher(ring, new KeyHierarchy(ring, new InMemoryPatientKeyStore())) },
        { provide: OutboxRelay, useValue: relay as unknown as OutboxRelay },
        MessageMapper,
        { provide: MessageStore, useClass: MongoMessageStore },
        MessageChanges,
        // The fetch is not under test here.
        { provide: PreviewFetcher, useValue: {} },
        LinkPreviewsService,
      ],
    });
    messages = suite.moduleRef.get(MessageStore);
    previews = suite.moduleRef.get(LinkPreviewsService);
  });

  afterAll(async () => {
    await suite?.close();
  });

  async function aMessage(body: string): Promise<{ id: string; channelId: string }> {
    const channelId = `ch_${randomUUID().replace(/-/g, '')}`;
    const view = await messages.append(
      { _id: `msg_${randomUUID().replace(/-/g, '')}`, orgId: org, channelId, senderId: 'tm_1', senderKind: 'team_member', clientMessageId: randomUUID(), body, threadId: null, createdAt: new Date() },
      () => [],
    );
    if (!view) throw new Error('not stored');
    return { id: view.id, channelId };
  }

  it('stores the preview encrypted, returns the whole view and queues message.updated', async () => {
    const { id, channelId } = await aMessage(`read ${preview.url}`);
    const view = await previews.setPreview({ orgId: org, messageId: id, preview });
    expect(view).toMatchObject({ id, channelId, body: `read ${preview.url}`, linkPreview: preview });
    expect(dispatched).toContainEqual({ id, types: ['message.updated'] });

    const raw = await suite.db.collection('messages').findOne({ _id: id as never });
    expect(JSON.stringify(raw?.linkPreview)).not.toContain('clinic.example');
    expect(raw?.linkPreview).toMatchObject({ keyId: LOCAL_ENCRYPTION_ACTIVE_KEY_ID, ciphertext: expect.any(String) });
    const [listed] = await messages.list(org, channelId, { limit: 10 });
    expect(listed.linkPreview).toEqual(preview);
  });

  it('another organisation, an unknown id or a deleted message get nothing', async () => {
    const { id } = await aMessage(`read ${preview.url}`);
    expect(await previews.setPreview({ orgId: 'org_other', messageId: id, preview })).toBeNull();
    expect(await previews.setPreview({ orgId: org, messageId: 'msg_unknown', preview })).toBeNull();
    await suite.db.collection('messages').updateOne({ _id: id as never }, { $set: { deleted: true } });
    expect(await previews.setPreview({ orgId: org, messageId: id, preview })).toBeNull();
    expect((await suite.db.collection('messages').findOne({ _id: id as never }))?.linkPreview ?? null).toBeNull();
  });
});
