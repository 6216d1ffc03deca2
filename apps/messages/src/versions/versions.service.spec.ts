import 'reflect-metadata';
import { Permission } from '@wellifiy/contracts';
import { managerActor, patientActor, teamMemberActor } from '@wellifiy/testing';
import { FakeAudit } from '../audit/audit.fakes';
import { EditsService } from '../edits/edits.service';
import { FakeMessageHistory } from '../edits/message-history.fakes';
import { MembershipService } from '../membership/membership.service';
import { MessageChanges } from '../messages/message-changes';
import { FakeMembership, FakeMessageStore } from '../messages/message.store.fakes';
import { VersionsService } from './versions.service';

describe('VersionsService (every version of a message, for audit:read)', () => {
  const author = teamMemberActor({ userId: 'tm_author' });
  const manager = managerActor({ userId: 'tm_manager' });
  const officer = teamMemberActor({ userId: 'tm_officer', perms: [Permission.AuditRead] });
  let store: FakeMessageStore;
  let history: FakeMessageHistory;
  let audit: FakeAudit;
  let edits: EditsService;
  let versions: VersionsService;

  beforeEach(() => {
    store = new FakeMessageStore();
    history = new FakeMessageHistory();
    audit = new FakeAudit();
    const membership = new FakeMembership();
    membership.members.set('ch_1', new Set([author.userId, manager.userId]));
    edits = new EditsService(new MessageChanges(store), history, audit, membership as unknown as MembershipService);
    versions = new VersionsService(store, history, audit);
    store.add({ _id: 'm_1', senderId: 'tm_author', body: 'first text' });
  });

  it('after two edits (one by staff with a reason) and a delete: four versions, bodies opened, who, when and why', async () => {
    await edits.edit({ actor: author, channelId: 'ch_1', messageId: 'm_1', body: 'second text' });
    await edits.edit({ actor: manager, channelId: 'ch_1', messageId: 'm_1', body: 'third text', reason: 'phone number removed' });
    await edits.delete({ actor: manager, channelId: 'ch_1', messageId: 'm_1', reason: 'wrong patient' });

    const view = await versions.list(officer, 'm_1');
    expect(view).toMatchObject({ messageId: 'm_1', channelId: 'ch_1', senderId: 'tm_author', deleted: true });
    expect(view.versions.map((v) => [v.version, v.body, v.change, v.actorId, v.as, v.reason])).toEqual([
      [0, 'first text', 'sent', 'tm_author', 'author', null],
      [1, 'second text', 'edit', 'tm_author', 'author', null],
      [2, 'third text', 'edit', 'tm_manager', 'staff', 'phone number removed'],
      [3, 'third text', 'delete', 'tm_manager', 'staff', 'wrong patient'],
    ]);
    expect(view.versions.every((v) => !Number.isNaN(Date.parse(v.at)))).toBe(true);
  });

  it('an unedited message has its one version, the text as sent', async () => {
    expect((await versions.list(officer, 'm_1')).versions).toEqual([
      { version: 0, body: 'first text', change: 'sent', actorId: 'tm_author', as: 'author', reason: null, at: expect.any(String) },
    ]);
  });

  it('the read is itself audited before it is answered: who, which message, never a body', async () => {
    await versions.list(officer, 'm_1');
    expect(audit.reads).toEqual([expect.objectContaining({ orgId: 'org_1', userId: 'tm_officer', what: 'versions', messageId: 'm_1', channelId: 'ch_1' })]);
    expect(JSON.stringify(audit.reads)).not.toContain('first text');
  });

  it.each([
    ['the author', author],
    ['a manager without audit:read', manager],
    ['a patient', patientActor()],
  ])('needs audit:read: %s gets FORBIDDEN and nothing is recorded', async (_label, actor) => {
    await expect(versions.list(actor, 'm_1')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(audit.reads).toEqual([]);
  });

  it("another organisation's officer gets NOT_FOUND for this organisation's message", async () => {
    await expect(versions.list(teamMemberActor({ userId: 'tm_x', orgId: 'org_2', perms: [Permission.AuditRead] }), 'm_1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('edits and deletes are audited under ids derived from the change: a retried delete adds no second entry', async () => {
    await edits.edit({ actor: manager, channelId: 'ch_1', messageId: 'm_1', body: 'x', reason: 'moderated' });
    await edits.delete({ actor: author, channelId: 'ch_1', messageId: 'm_1' });
    await edits.delete({ actor: author, channelId: 'ch_1', messageId: 'm_1' });
    expect(audit.changes.map((c) => [c.id, c.action, c.actorId, c.seq, c.reason])).toEqual([
      ['edited:m_1:0', 'message.edited', 'tm_manager', 1, 'moderated'],
      ['deleted:m_1', 'message.deleted', 'tm_author', 1, null],
    ]);
  });
});
