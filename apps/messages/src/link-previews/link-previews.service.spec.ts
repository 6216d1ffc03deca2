import 'reflect-metadata';
import { LinkPreview, MessageView } from '@wellifiy/contracts';
import { LinkPreviewsRepository, MessageForPreview, SetPreviewInput } from './link-previews.repository';
import { LinkPreviewsService } from './link-previews.service';
import { FetchedPage, PreviewFetcher, PreviewRefused } from './preview-fetcher';

/** Messages by id, with the real repository's answers: null when unknown, null from setPreview when deleted or already previewed. */
class FakeLinkPreviewsRepository extends LinkPreviewsRepository {
  readonly messages = new Map<string, MessageForPreview & { orgId: string; preview?: LinkPreview }>();

  async findForPreview(orgId: string, messageId: string): Promise<MessageForPreview | null> {
    const m = this.messages.get(messageId);
    return m && m.orgId === orgId ? { body: m.body, deleted: m.deleted, hasPreview: Boolean(m.preview) } : null;
  }

  async setPreview({ orgId, messageId, preview }: SetPreviewInput): Promise<MessageView | null> {
    const m = this.messages.get(messageId);
    if (!m || m.orgId !== orgId || m.deleted || m.preview) return null;
    m.preview = preview;
    return { id: messageId, body: m.body, linkPreview: preview } as MessageView;
  }
}

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
  let repo: FakeLinkPreviewsRepository;
  let fetched: string[];
  let service: LinkPreviewsService;

  beforeEach(() => {
    repo = new FakeLinkPreviewsRepository();
    fetched = [];
    service = new LinkPreviewsService(fakeFetcher({ [secretUrl]: '<meta property="og:title" content="Results">' }, fetched), repo);
    repo.messages.set('msg_1', { orgId: 'org_1', body: `see ${secretUrl}`, deleted: false, hasPreview: false });
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
    expect(repo.messages.get('msg_1')?.preview).toMatchObject({ url: secretUrl, title: 'Results' });
  });

  it('item 3: a refused fetch returns no reason (it would name the link’s host)', async () => {
    repo.messages.set('msg_2', { orgId: 'org_1', body: 'see https://intranet.example/x', deleted: false, hasPreview: false });

    const outcome = await service.generate({ orgId: 'org_1', messageId: 'msg_2' });

    expect(outcome).toEqual({ status: 'refused' });
    expect(JSON.stringify(outcome)).not.toContain('intranet');
  });

  it('a deleted, already previewed, unknown or other-organisation message is not fetched', async () => {
    repo.messages.set('msg_del', { orgId: 'org_1', body: `see ${secretUrl}`, deleted: true, hasPreview: false });
    await service.generate({ orgId: 'org_1', messageId: 'msg_1' });

    for (const [orgId, messageId] of [['org_1', 'msg_del'], ['org_1', 'msg_1'], ['org_1', 'msg_none'], ['org_2', 'msg_1']]) {
      expect(await service.generate({ orgId, messageId })).toEqual({ status: 'gone' });
    }
    expect(fetched).toEqual([secretUrl]);
  });
});
