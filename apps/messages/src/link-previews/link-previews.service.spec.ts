import 'reflect-metadata';
import { MessageView } from '@wellifiy/contracts';
import { MessageChanges } from '../messages/message-changes';
import { FakeMessageStore } from '../messages/message.store.fakes';
import { LinkPreviewsService } from './link-previews.service';
import { FetchedPage, PreviewFetcher, PreviewRefused } from './preview-fetcher';

/** The fetcher at its interface: pages by URL; unknown URLs are refused. */
function fakeFetcher(pages: Record<string, string>, fetched: string[]): PreviewFetcher {
  return {
    fetch: async (url: string): Promise<FetchedPage> => {
      fetched.push(url);
      if (!(url in pages)) throw new PreviewRefused(`${new URL(url).host} resolves to a non-public address (10.0.0.1)`);
      return { url: new URL(url), html: pages[url], truncated: false };
    },
  } as unknown as PreviewFetcher;
}

describe('LinkPreviewsService', () => {
  const secretUrl = 'https://clinic.example/results/hiv-positive-ada';
  let store: FakeMessageStore;
  let fetched: string[];
  let service: LinkPreviewsService;

  beforeEach(() => {
    store = new FakeMessageStore();
    fetched = [];
    service = new LinkPreviewsService(fakeFetcher({ [secretUrl]: '<meta property="og:title" content="Results">' }, fetched), store, new MessageChanges(store));
    store.add({ _id: 'msg_1', senderId: 'tm_1', body: `see ${secretUrl}` });
  });

  it('item 3: a preview job carries the message ids only, never the URL from the body', () => {
    const job = service.jobFor('org_1', { id: 'msg_1', body: `see ${secretUrl}` } as MessageView, 'corr-1');

    expect(job).toEqual({ orgId: 'org_1', messageId: 'msg_1', correlationId: 'corr-1' });
    expect(service.jobFor('org_1', { id: 'msg_2', body: 'no link here' } as MessageView)).toBeNull();
  });

  it('item 3: the job reads the link from the stored message and returns an outcome, not the message or its URL', async () => {
    const outcome = await service.generate({ orgId: 'org_1', messageId: 'msg_1' });

    expect(outcome).toEqual({ status: 'updated' });
    expect(fetched).toEqual([secretUrl]);
    expect(store.get('msg_1').linkPreview).toMatchObject({ url: secretUrl, title: 'Results' });
    expect(store.outbox.map((e) => e.type)).toEqual(['message.updated']);
  });

  it('item 3: a refused fetch returns no reason (it would name the link’s host)', async () => {
    store.add({ _id: 'msg_2', senderId: 'tm_1', body: 'see https://intranet.example/x' });

    const outcome = await service.generate({ orgId: 'org_1', messageId: 'msg_2' });

    expect(outcome).toEqual({ status: 'refused' });
    expect(JSON.stringify(outcome)).not.toContain('intranet');
  });

  it('a deleted, already previewed, unknown or other-organisation message is not fetched', async () => {
    store.add({ _id: 'msg_del', senderId: 'tm_1', body: `see ${secretUrl}`, deleted: true });
    await service.generate({ orgId: 'org_1', messageId: 'msg_1' });

    for (const [orgId, messageId] of [['org_1', 'msg_del'], ['org_1', 'msg_1'], ['org_1', 'msg_none'], ['org_2', 'msg_1']]) {
      expect(await service.generate({ orgId, messageId })).toEqual({ status: 'gone' });
    }
    expect(fetched).toEqual([secretUrl]);
  });
});
