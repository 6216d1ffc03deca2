import { Queue } from 'bullmq';
import { JobIds, JobPayloads, LegacyJobIds, Queues } from '@wellifiy/contracts';
import { bullConnection } from '@wellifiy/persistence';
import { testInfra, uniqueName } from '@wellifiy/testing';
import { LinkPreviewScheduler } from './link-preview.job';
import { MediaCleanupScheduler } from './media-cleanup.job';

/** The ids of these queues changed format (`<org>__<id>` → `<kind>|<org>|<id>`); jobs queued before still dedupe. */
describe('job ids across their change of format (Redis, BullMQ)', () => {
  const prefix = uniqueName('it-bull');
  let previews: Queue<JobPayloads[typeof Queues.LinkPreview]>;
  let cleanups: Queue<JobPayloads[typeof Queues.MediaCleanup]>;

  beforeAll(() => {
    previews = new Queue(Queues.LinkPreview, { connection: bullConnection(testInfra.redisUrl), prefix });
    cleanups = new Queue(Queues.MediaCleanup, { connection: bullConnection(testInfra.redisUrl), prefix });
  });

  afterAll(async () => {
    for (const q of [previews, cleanups]) {
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
  });

  it('a link preview queued under the old id collapses a new schedule; an unqueued one gets the new id, once', async () => {
    const scheduler = new LinkPreviewScheduler(previews);
    await previews.add('preview', { orgId: 'org_1', messageId: 'msg_old' }, { jobId: LegacyJobIds.linkPreview('org_1', 'msg_old'), delay: 60_000 });
    await scheduler.schedule({ orgId: 'org_1', messageId: 'msg_old' });
    await scheduler.schedule({ orgId: 'org_1', messageId: 'msg_new' });
    await scheduler.schedule({ orgId: 'org_1', messageId: 'msg_new' });
    const ids = (await previews.getJobs(['waiting', 'delayed', 'active', 'completed'])).map((j) => j.id).sort();
    expect(ids).toEqual([LegacyJobIds.linkPreview('org_1', 'msg_old'), JobIds.linkPreview('org_1', 'msg_new')].sort());
  });

  it('a media cleanup queued under the old id collapses a new schedule; an unqueued one gets the new id, once', async () => {
    const scheduler = new MediaCleanupScheduler(cleanups);
    await cleanups.add('cleanup', { orgId: 'org_1', mediaId: 'med_old' }, { jobId: LegacyJobIds.mediaCleanup('org_1', 'med_old'), delay: 60_000 });
    await scheduler.schedule({ orgId: 'org_1', mediaId: 'med_old' }, 60_000);
    await scheduler.schedule({ orgId: 'org_1', mediaId: 'med_new' }, 60_000);
    await scheduler.schedule({ orgId: 'org_1', mediaId: 'med_new' }, 60_000);
    const ids = (await cleanups.getDelayed()).map((j) => j.id).sort();
    expect(ids).toEqual([LegacyJobIds.mediaCleanup('org_1', 'med_old'), JobIds.mediaCleanup('org_1', 'med_new')].sort());
  });
});
