import { JobIds, JobRetries, Jobs, LegacyJobIds, Queues } from './jobs';

describe('jobs: one definition of queues, job names, ids and retries', () => {
  const ids = [
    JobIds.archivedMemberRelease('org_1', 'tm_1'), JobIds.linkPreview('org_1', 'msg_1'), JobIds.mediaCleanup('org_1', 'med_1'),
    JobIds.channelActivity('org_1', 'ch_1'), JobIds.userDigest('org_1', 'u_1'), JobIds.pushSend('msg_1', 'sub_1'),
  ];

  it("ids have one separator ('|'), never ':' (BullMQ refuses it in custom ids), and one kind each", () => {
    for (const id of ids) expect(id).toMatch(/^[a-z]+\|[^|:]+\|[^|:]+$/);
    expect(new Set(ids.map((id) => id.split('|')[0])).size).toBe(ids.length);
  });

  it('the ids of jobs that may be queued already keep their format (their dedupe still holds)', () => {
    expect(JobIds.channelActivity('org_1', 'ch_1')).toBe('activity|org_1|ch_1');
    expect(JobIds.userDigest('org_1', 'u_1')).toBe('digest|org_1|u_1');
    expect(JobIds.pushSend('msg_1', 'sub_1')).toBe('push|msg_1|sub_1');
    expect(JobIds.retentionScheduler).toBe('retention-sweep');
    expect([LegacyJobIds.archivedMemberRelease('org_1', 'tm_1'), LegacyJobIds.linkPreview('org_1', 'msg_1'), LegacyJobIds.mediaCleanup('org_1', 'med_1')])
      .toEqual(['org_1__tm_1', 'org_1__msg_1', 'org_1__med_1']);
  });

  it('queue and job names are unique, and every queue has its retry policy', () => {
    const queues = Object.values(Queues);
    expect(new Set(queues).size).toBe(queues.length);
    expect(new Set(Object.values(Jobs)).size).toBe(Object.values(Jobs).length);
    expect(Object.keys(JobRetries).sort()).toEqual([...queues].sort());
    for (const q of queues) expect(JobRetries[q].backoff).toEqual({ type: 'exponential', delay: expect.any(Number) });
  });
});
