import 'reflect-metadata';
import { ChannelSnapshot, DomainError, ErrorCode } from '@wellifiy/contracts';
import { InMemoryPatientKeyStore, KeyHierarchy, KeyRing, PatientKeyErasedError } from '@wellifiy/crypto';
import { LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS, managerActor, patientActor, teamMemberActor } from '@wellifiy/testing';
import { ErasureService } from '../erasure/erasure.service';
import { ChannelMembership, MembershipRepository } from '../membership/membership.repository';
import { LegalHolds } from './legal-holds';
import { ComplianceEntry, LegalHold, RetentionPeriods, RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

class FakeRetentionRepository extends RetentionRepository {
  readonly settings = new Map<string, RetentionPeriods>();
  readonly holds: LegalHold[] = [];
  readonly entries: ComplianceEntry[] = [];
  private next = 0;

  async periods(orgId: string): Promise<RetentionPeriods> {
    return this.settings.get(orgId) ?? { orgId, messageContentDays: null, mediaDays: null, updatedAt: null, updatedBy: null };
  }
  async setPeriods(p: RetentionPeriods & { updatedAt: Date; updatedBy: string }): Promise<RetentionPeriods> {
    this.settings.set(p.orgId, { ...p });
    return this.periods(p.orgId);
  }
  async organisationsWithRetention(): Promise<RetentionPeriods[]> {
    return [...this.settings.values()];
  }
  async placeHold(hold: Omit<LegalHold, 'id' | 'releasedAt'>): Promise<LegalHold> {
    const stored = { ...hold, id: `hold_${String(this.next++).padStart(32, '0')}`, releasedAt: null };
    this.holds.push(stored);
    return stored;
  }
  async activeHolds(orgId: string, page: { afterId?: string; limit: number } = { limit: 10_000 }): Promise<LegalHold[]> {
    return this.holds.filter((h) => h.orgId === orgId && !h.releasedAt && (!page.afterId || h.id > page.afterId)).slice(0, page.limit);
  }
  async releaseHold(orgId: string, holdId: string, _by: string, at: Date): Promise<LegalHold | null> {
    const hold = this.holds.find((h) => h.id === holdId && h.orgId === orgId && !h.releasedAt);
    if (!hold) return null;
    hold.releasedAt = at;
    return hold;
  }
  async dropHoldReasons(orgId: string, patientId: string, channelIds: string[]): Promise<number> {
    let n = 0;
    for (const h of this.holds) {
      if (h.orgId === orgId && (h.patientId === patientId || (h.channelId !== null && channelIds.includes(h.channelId))) && h.reason) {
        h.reason = '';
        n++;
      }
    }
    return n;
  }
  async log(entry: ComplianceEntry): Promise<void> {
    this.entries.push(entry);
  }
}

class FakeMembershipRepository extends MembershipRepository {
  readonly rows: ChannelMembership[] = [];
  async find(): Promise<ChannelMembership | null> {
    return null;
  }
  async apply(orgId: string, s: ChannelSnapshot): Promise<void> {
    this.rows.push({ id: s.id, orgId, type: s.type, patientId: s.patientId ?? null, members: s.members, version: s.version });
  }
  async shareAChannel(): Promise<boolean> {
    return false;
  }
  async channelsOfPatient(orgId: string, patientId: string): Promise<string[]> {
    return this.rows.filter((r) => r.orgId === orgId && (r.patientId === patientId || r.members.some((m) => m.userId === patientId))).map((r) => r.id);
  }
}

const officer = teamMemberActor({ userId: 'tm_officer', perms: ['audit:read'] });
const code = async (p: Promise<unknown>): Promise<string | undefined> => p.then(() => undefined, (err: unknown) => (err instanceof DomainError ? err.code : String(err)));

function setup() {
  const repo = new FakeRetentionRepository();
  const membership = new FakeMembershipRepository();
  const ring = KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID);
  const keys = new KeyHierarchy(ring, new InMemoryPatientKeyStore());
  return { repo, membership, keys, retention: new RetentionService(repo), erasure: new ErasureService(keys, new LegalHolds(repo, membership), repo) };
}

describe('RetentionService and ErasureService', () => {
  it('permission table: only a team member with audit:read manages retention, holds and erasure', async () => {
    const { retention, erasure } = setup();
    const viewers = {
      patient: patientActor({ perms: ['audit:read'] }),
      teamMember: teamMemberActor(),
      manager: managerActor({ perms: ['messaging:manage', 'settings:manage'] }),
      officer,
    };
    const table: Record<string, (string | undefined)[]> = {};
    for (const [name, actor] of Object.entries(viewers)) {
      table[name] = [
        await code(retention.get(actor)),
        await code(retention.put({ actor, messageContentDays: 30, mediaDays: null })),
        await code(retention.place({ actor, patientId: 'pt_1', reason: 'case' })),
        await code(retention.list({ actor })),
        await code(erasure.erase({ actor, patientId: 'pt_2', reason: 'request' })),
      ];
    }
    const F = ErrorCode.Forbidden;
    expect(table).toEqual({ patient: [F, F, F, F, F], teamMember: [F, F, F, F, F], manager: [F, F, F, F, F], officer: [undefined, undefined, undefined, undefined, undefined] });
  });

  it('retention is off by default and recorded when set', async () => {
    const { retention, repo } = setup();
    expect(await retention.get(officer)).toEqual({ messageContentDays: null, mediaDays: null, updatedAt: null, updatedBy: null });
    expect(await retention.put({ actor: officer, messageContentDays: 30, mediaDays: 7 })).toMatchObject({ messageContentDays: 30, mediaDays: 7, updatedBy: 'tm_officer' });
    expect(repo.entries.map((e) => e.action)).toEqual(['retention.updated']);
  });

  it('a hold names exactly one of patientId or channelId; list pages by cursor; release twice is NOT_FOUND', async () => {
    const { retention, repo } = setup();
    expect(await code(retention.place({ actor: officer, patientId: 'pt_1', channelId: 'ch_1', reason: 'x' }))).toBe(ErrorCode.ValidationFailed);
    expect(await code(retention.place({ actor: officer, reason: 'x' }))).toBe(ErrorCode.ValidationFailed);
    expect(await code(retention.place({ actor: officer, channelId: 'ch_1', reason: '   ' }))).toBe(ErrorCode.ValidationFailed);
    const ids = [];
    for (const ch of ['ch_1', 'ch_2', 'ch_3']) ids.push((await retention.place({ actor: officer, channelId: ch, reason: 'litigation' })).id);
    const first = await retention.list({ actor: officer, limit: 2 });
    expect(first.holds.map((h) => h.id)).toEqual(ids.slice(0, 2));
    const second = await retention.list({ actor: officer, limit: 2, cursor: first.nextCursor ?? '' });
    expect({ ids: second.holds.map((h) => h.id), next: second.nextCursor }).toEqual({ ids: ids.slice(2), next: null });
    expect(await code(retention.list({ actor: officer, cursor: 'bm9wZQ' }))).toBe(ErrorCode.ValidationFailed);
    await retention.release({ actor: officer, holdId: ids[0] });
    expect(await code(retention.release({ actor: officer, holdId: ids[0] }))).toBe(ErrorCode.NotFound);
    expect(await code(retention.release({ actor: { ...officer, orgId: 'org_other' }, holdId: ids[1] }))).toBe(ErrorCode.NotFound);
    expect(repo.entries.map((e) => e.action)).toEqual(['legal-hold.placed', 'legal-hold.placed', 'legal-hold.placed', 'legal-hold.released']);
  });

  it('erasure is refused under a hold on the patient or on one of their channels, then destroys the patient key', async () => {
    const { retention, erasure, membership, keys, repo } = setup();
    await membership.apply(officer.orgId, { id: 'ch_care', type: 'care_team', patientId: 'pt_1', members: [{ userId: 'pt_1', kind: 'patient' }], needsStaffing: false, version: 1 });
    const box = await keys.seal('private', 'aad', { orgId: officer.orgId, patientId: 'pt_1' });

    const onChannel = await retention.place({ actor: officer, channelId: 'ch_care', reason: 'complaint' });
    expect(await code(erasure.erase({ actor: officer, patientId: 'pt_1', reason: 'request' }))).toBe(ErrorCode.UnderLegalHold);
    await retention.release({ actor: officer, holdId: onChannel.id });
    const onPatient = await retention.place({ actor: officer, patientId: 'pt_1', reason: 'litigation' });
    expect(await code(erasure.erase({ actor: officer, patientId: 'pt_1', reason: 'request' }))).toBe(ErrorCode.UnderLegalHold);
    expect(await keys.openText(box, 'aad')).toBe('private');
    // Another patient's hold does not stop it.
    await retention.release({ actor: officer, holdId: onPatient.id });
    await retention.place({ actor: officer, patientId: 'pt_9', reason: 'other case' });

    expect(await erasure.erase({ actor: officer, patientId: 'pt_1', reason: 'request' })).toMatchObject({ patientId: 'pt_1', keyDestroyed: true });
    await expect(keys.open(box, 'aad')).rejects.toThrow(PatientKeyErasedError);
    expect(repo.entries.filter((e) => e.action === 'patient.erased')).toEqual([{ orgId: officer.orgId, action: 'patient.erased', actorId: 'tm_officer', patientId: 'pt_1', at: expect.any(Date) }]);
  });
});
