import 'reflect-metadata';
import { Actor } from '@wellifiy/contracts';
import { managerActor, patientActor, teamMemberActor } from '@wellifiy/testing';
import { FakeAudit } from '../audit/audit.fakes';
import { MembershipService } from '../membership/membership.service';
import { MessageChanges } from '../messages/message-changes';
import { FakeMembership, FakeMessageStore } from '../messages/message.store.fakes';
import { EditsService } from './edits.service';
import { FakeMessageHistory } from './message-history.fakes';

describe('EditsService (DESIGN §2 rule 6, §3 edit and delete)', () => {
  const tmAuthor = teamMemberActor({ userId: 'tm_author' });
  const otherTm = teamMemberActor({ userId: 'tm_other' });
  const manager = managerActor({ userId: 'tm_manager' });
  const patientAuthor = patientActor({ userId: 'pat_author' });
  const otherPatient = patientActor({ userId: 'pat_other' });
  // A patient token claiming messaging:manage must still never change others' messages.
  const patientWithPerm = patientActor({ userId: 'pat_forged', perms: ['messaging:manage'] });
  const everyone = [tmAuthor, otherTm, manager, patientAuthor, otherPatient, patientWithPerm];

  let store: FakeMessageStore;
  let history: FakeMessageHistory;
  let audit: FakeAudit;
  let service: EditsService;

  beforeEach(() => {
    store = new FakeMessageStore();
    history = new FakeMessageHistory();
    audit = new FakeAudit();
    const membership = new FakeMembership();
    membership.members.set('ch_1', new Set(everyone.map((a) => a.userId)));
    service = new EditsService(new MessageChanges(store), history, audit, membership as unknown as MembershipService);
    store.add({ _id: 'm_tm', senderId: 'tm_author', body: 'team member text' });
    store.add({ _id: 'm_pat', senderId: 'pat_author', senderKind: 'patient', body: 'patient text' });
  });

  type Row = [string, Actor, 'm_tm' | 'm_pat', string | undefined, 'author' | 'staff' | 'FORBIDDEN' | 'REASON_REQUIRED'];
  const table: Row[] = [
    ['team member author, own message', tmAuthor, 'm_tm', undefined, 'author'],
    ['patient author, own message', patientAuthor, 'm_pat', undefined, 'author'],
    ["other team member, someone else's message", otherTm, 'm_tm', 'reason', 'FORBIDDEN'],
    ["other team member, a patient's message", otherTm, 'm_pat', 'reason', 'FORBIDDEN'],
    ["manager, a team member's message, with reason", manager, 'm_tm', 'off-topic', 'staff'],
    ["manager, a patient's message, with reason", manager, 'm_pat', 'contains a phone number', 'staff'],
    ["manager, someone else's message, without reason", manager, 'm_pat', undefined, 'REASON_REQUIRED'],
    ["manager, someone else's message, blank reason", manager, 'm_pat', '   ', 'REASON_REQUIRED'],
    ["other patient, a patient's message", otherPatient, 'm_pat', 'reason', 'FORBIDDEN'],
    ["other patient, a team member's message", otherPatient, 'm_tm', 'reason', 'FORBIDDEN'],
    ["patient claiming messaging:manage, someone else's message", patientWithPerm, 'm_tm', 'reason', 'FORBIDDEN'],
  ];

  describe.each(table)('%s', (_name, actor, messageId, reason, expected) => {
    it(`edit → ${expected}`, async () => {
      const before = store.get(messageId).body;
      const attempt = service.edit({ actor, channelId: 'ch_1', messageId, body: 'new text', reason });
      if (expected === 'author' || expected === 'staff') {
        await expect(attempt).resolves.toMatchObject({ id: messageId, body: 'new text', editedBy: expected, editedAt: expect.any(String) });
        expect(history.versions).toEqual([expect.objectContaining({ messageId, change: 'edit', previousBody: before, actorId: actor.userId, as: expected, reason: reason ?? null })]);
        expect(audit.changes).toEqual([expect.objectContaining({ action: 'message.edited', messageId, actorId: actor.userId, as: expected, reason: reason ?? null })]);
        expect(store.outbox.map((e) => e.type)).toEqual(['message.updated', 'audit.recorded']);
      } else {
        await expect(attempt).rejects.toMatchObject({ code: expected });
        expect(store.get(messageId).body).toBe(before);
        expect(history.versions).toEqual([]);
        expect(audit.changes).toEqual([]);
        expect(store.outbox).toEqual([]);
      }
    });

    it(`delete → ${expected}`, async () => {
      const attempt = service.delete({ actor, channelId: 'ch_1', messageId, reason });
      if (expected === 'author' || expected === 'staff') {
        const tombstone = await attempt;
        expect(tombstone).toMatchObject({ id: messageId, body: '', deleted: true, deletedBy: expected });
        expect(store.get(messageId)).toMatchObject({ deleted: true, deletedBy: expected, body: expect.stringContaining('text') });
        expect(store.outbox).toEqual([expect.objectContaining({ type: 'message.deleted', data: expect.objectContaining({ messageId, actorId: actor.userId, deletedBy: expected }) })]);
        expect(audit.changes).toEqual([expect.objectContaining({ action: 'message.deleted', as: expected, reason: reason ?? null })]);
      } else {
        await expect(attempt).rejects.toMatchObject({ code: expected });
        expect(store.get(messageId).deleted).toBeUndefined();
        expect(store.outbox).toEqual([]);
        expect(audit.changes).toEqual([]);
      }
    });
  });

  it('every edit keeps the previous text as an immutable version, in order', async () => {
    await service.edit({ actor: tmAuthor, channelId: 'ch_1', messageId: 'm_tm', body: 'second' });
    await service.edit({ actor: manager, channelId: 'ch_1', messageId: 'm_tm', body: 'third', reason: 'typo' });
    expect(history.versions.map((v) => [v.version, v.previousBody, v.as])).toEqual([
      [0, 'team member text', 'author'],
      [1, 'second', 'staff'],
    ]);
    expect(store.get('m_tm')).toMatchObject({ body: 'third', editedBy: 'staff' });
  });

  it("an edit's trail entry is written with the edit itself (in the message's outbox), under the id of its local audit row", async () => {
    await service.edit({ actor: manager, channelId: 'ch_1', messageId: 'm_pat', body: 'redacted', reason: 'contains a phone number' });
    const entry = store.outbox.find((e) => e.type === 'audit.recorded');
    expect(entry).toMatchObject({
      id: 'edited:m_pat:0',
      orgId: manager.orgId,
      data: { action: 'message.edited', actorId: 'tm_manager', channelId: 'ch_1', messageId: 'm_pat', reason: 'contains a phone number' },
    });
    expect(audit.changes.map((c) => c.id)).toEqual(['edited:m_pat:0']);
  });

  it('an edit to the same text records nothing and announces nothing', async () => {
    const view = await service.edit({ actor: tmAuthor, channelId: 'ch_1', messageId: 'm_tm', body: 'team member text' });
    expect(view.body).toBe('team member text');
    expect(history.versions).toEqual([]);
    expect(audit.changes).toEqual([]);
    expect(store.outbox).toEqual([]);
  });

  it('delete is idempotent: a second delete returns the tombstone and announces nothing more', async () => {
    await service.delete({ actor: tmAuthor, channelId: 'ch_1', messageId: 'm_tm' });
    const again = await service.delete({ actor: tmAuthor, channelId: 'ch_1', messageId: 'm_tm' });
    expect(again).toMatchObject({ deleted: true, body: '' });
    expect(store.outbox.filter((e) => e.type === 'message.deleted')).toHaveLength(1);
    expect(audit.changes).toHaveLength(1);
  });

  it('a tombstone withholds the body, the attachments and the link preview', async () => {
    store.add({ _id: 'm_media', senderId: 'tm_author', body: 'see https://example.org', attachments: ['med_1'], linkPreview: { url: 'https://example.org', title: 'Example' } });
    const before = await service.edit({ actor: tmAuthor, channelId: 'ch_1', messageId: 'm_media', body: 'see https://example.org (edited)' });
    expect(before).toMatchObject({ attachments: ['med_1'], linkPreview: { url: 'https://example.org' } });
    const tombstone = await service.delete({ actor: tmAuthor, channelId: 'ch_1', messageId: 'm_media' });
    expect(tombstone).toMatchObject({ body: '', deleted: true });
    expect(tombstone).not.toHaveProperty('attachments');
    expect(tombstone).not.toHaveProperty('linkPreview');
  });

  it('a deleted message cannot be edited (409)', async () => {
    await service.delete({ actor: tmAuthor, channelId: 'ch_1', messageId: 'm_tm' });
    await expect(service.edit({ actor: tmAuthor, channelId: 'ch_1', messageId: 'm_tm', body: 'x' })).rejects.toMatchObject({ code: 'MESSAGE_DELETED' });
  });

  it('rule 1: a non-member gets NOT_FOUND, an unknown message NOT_FOUND', async () => {
    await expect(service.edit({ actor: teamMemberActor({ userId: 'stranger' }), channelId: 'ch_1', messageId: 'm_tm', body: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.delete({ actor: tmAuthor, channelId: 'ch_1', messageId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(store.outbox).toEqual([]);
  });
});
