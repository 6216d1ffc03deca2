import { ExportPage, ExportPageRequest, ExportPeopleRequest, ExportPerson, MessageView, PatientExportScope, Rpc, RpcName } from '@wellifiy/contracts';
import type { RpcClient } from '@wellifiy/messaging';
import { fhirR4Errors, teamMemberActor } from '@wellifiy/testing';
import { CHANNEL_EXTENSION_URL, communicationEntry, IDENTIFIER_SYSTEMS, peopleIndex, uuidFor } from './fhir-bundle';
import { fhirBundleChunks } from './patient-export';

const officer = teamMemberActor({ userId: 'tm_officer', perms: ['audit:read'] });
const T = (minute: number): string => new Date(Date.UTC(2026, 0, 1, 9, minute)).toISOString();

const patient: ExportPerson = { userId: 'pt_1', kind: 'patient', firstName: 'Pat', lastName: 'Ient', displayName: 'Pat' };
const fellow: ExportPerson = { userId: 'pt_2', kind: 'patient', firstName: 'Fellow', lastName: 'Secretname', displayName: 'Skywalker' };
const clinician: ExportPerson = { userId: 'tm_1', kind: 'team_member', firstName: 'Tess', lastName: 'Member', displayName: null };
const scope: PatientExportScope = {
  patient,
  exportedAt: T(59),
  people: [patient, clinician, fellow],
  channels: [
    {
      id: 'ch_care', type: 'care_team', name: null, createdAt: T(0),
      members: [{ userId: 'pt_1', kind: 'patient', joinedAt: T(0) }, { userId: 'tm_1', kind: 'team_member', joinedAt: T(0) }, { userId: 'tm_late', kind: 'team_member', joinedAt: T(30) }],
    },
    {
      id: 'ch_group', type: 'group', name: 'Knee class', createdAt: T(0),
      members: [{ userId: 'pt_1', kind: 'patient', joinedAt: T(0) }, { userId: 'pt_2', kind: 'patient', joinedAt: T(0) }, { userId: 'tm_1', kind: 'team_member', joinedAt: T(0) }],
    },
    { id: 'ch_staff', type: 'staff', name: 'Discharge plan', createdAt: T(1), members: [{ userId: 'tm_1', kind: 'team_member', joinedAt: T(1) }] },
  ],
};

const message = (over: Partial<MessageView> & Pick<MessageView, 'id' | 'seq'>): MessageView => ({
  channelId: 'ch_care', senderId: 'pt_1', senderKind: 'patient', clientMessageId: `c_${over.id}`, body: 'I feel better today', createdAt: T(over.seq), threadId: null, ...over,
});

/** The messages service and channels service as the export sees them: pages of timelines and name lookups. */
class FakeExportRpc {
  readonly pageRequests: ExportPageRequest[] = [];
  readonly peopleRequests: string[][] = [];
  constructor(
    private readonly timelines: Record<string, MessageView[]>,
    private readonly directory: ExportPerson[] = [],
  ) {}

  send(pattern: RpcName, data: unknown): Promise<unknown> {
    if (pattern === Rpc.MessagesExportPage) {
      const req = data as ExportPageRequest;
      this.pageRequests.push(req);
      const rest = (this.timelines[req.channelId] ?? []).filter((m) => m.seq > (req.after ?? 0));
      const messages = rest.slice(0, req.limit);
      const page: ExportPage = {
        messages,
        media: messages.flatMap((m) => m.attachments ?? []).map((id) => ({ id, contentType: 'image/png', size: 68, createdAt: T(2) })),
        hasMore: rest.length > messages.length,
      };
      return Promise.resolve(page);
    }
    if (pattern === Rpc.ChannelsExportPeople) {
      const { userIds } = data as ExportPeopleRequest;
      this.peopleRequests.push(userIds);
      return Promise.resolve(this.directory.filter((p) => userIds.includes(p.userId)));
    }
    return Promise.reject(new Error(`unexpected RPC ${pattern}`));
  }
}

async function exportWith(rpc: FakeExportRpc, pageSize = 200): Promise<{ text: string; chunks: number }> {
  let text = '';
  let chunks = 0;
  for await (const chunk of fhirBundleChunks({ rpc: rpc as unknown as Pick<RpcClient, 'send'>, actor: officer, scope, baseUrl: 'https://api.example', pageSize })) {
    text += chunk;
    chunks++;
  }
  return { text, chunks };
}

/** http://hl7.org/fhir/R4/valueset-event-status.html (a required binding of Communication.status). */
const EVENT_STATUS = ['preparation', 'in-progress', 'not-done', 'on-hold', 'stopped', 'completed', 'entered-in-error', 'unknown'];

type Entry = { fullUrl: string; resource: Record<string, any> };

describe('FHIR R4 export of a patient\'s conversations (mapping)', () => {
  const root = message({ id: 'msg_root', seq: 1, attachments: ['med_xray'] });
  const reply = message({ id: 'msg_reply', seq: 2, senderId: 'tm_1', senderKind: 'team_member', body: 'Good to hear', threadId: 'msg_root' });
  const deleted = message({ id: 'msg_gone', seq: 3, body: '', deleted: true, deletedBy: 'staff' });
  const edited = message({ id: 'msg_edited', seq: 40, body: 'corrected text', editedAt: T(45), editedBy: 'author' });
  const staffNote = message({ id: 'msg_staff', seq: 1, channelId: 'ch_staff', senderId: 'tm_1', senderKind: 'team_member', body: 'plan discharge' });

  it('writes one schema-valid Bundle (type collection) of Communications, channel by channel in seq order', async () => {
    const rpc = new FakeExportRpc({ ch_care: [root, reply, deleted, edited], ch_staff: [staffNote] });
    const { text } = await exportWith(rpc);
    const bundle = JSON.parse(text) as { resourceType: string; type: string; timestamp: string; entry: Entry[] };
    expect(fhirR4Errors(bundle)).toEqual([]);
    expect({ resourceType: bundle.resourceType, type: bundle.type, timestamp: bundle.timestamp }).toEqual({ resourceType: 'Bundle', type: 'collection', timestamp: T(59) });
    expect(bundle.entry.map((e) => e.resource.identifier[0].value)).toEqual(['msg_root', 'msg_reply', 'msg_gone', 'msg_edited', 'msg_staff']);
    expect(bundle.entry.every((e) => e.resource.resourceType === 'Communication' && e.fullUrl === `urn:uuid:${e.resource.id}`)).toBe(true);
  });

  it('maps sender, subject, recipients at the time, sent time, payload text and attachments as URL references', async () => {
    const { text } = await exportWith(new FakeExportRpc({ ch_care: [root, edited] }));
    const [first, later] = (JSON.parse(text).entry as Entry[]).map((e) => e.resource);
    expect(first).toMatchObject({
      status: 'completed',
      sent: T(1),
      sender: { type: 'Patient', identifier: { system: IDENTIFIER_SYSTEMS.patient, value: 'pt_1' }, display: 'Pat Ient' },
      subject: { type: 'Patient', identifier: { value: 'pt_1' }, display: 'Pat Ient' },
      // tm_late joined at minute 30, after this message: not a recipient of it
      recipient: [{ type: 'Practitioner', identifier: { system: IDENTIFIER_SYSTEMS.team_member, value: 'tm_1' }, display: 'Tess Member' }],
      payload: [
        { contentString: 'I feel better today' },
        { contentAttachment: { url: 'https://api.example/v1/media/med_xray', contentType: 'image/png', size: 68, creation: T(2) } },
      ],
      topic: { text: 'Care team conversation' },
    });
    expect(JSON.stringify(first.payload)).not.toContain('data');
    expect(later.recipient.map((r: { identifier: { value: string } }) => r.identifier.value)).toEqual(['tm_1', 'tm_late']);
    expect(later.note).toEqual([{ time: T(45), text: 'Edited by the author' }]);
  });

  it('links a thread reply to its root (inResponseTo the root\'s fullUrl) and every message to its channel (extension)', async () => {
    const { text } = await exportWith(new FakeExportRpc({ ch_care: [root, reply] }));
    const [first, second] = JSON.parse(text).entry as Entry[];
    expect(second.resource.inResponseTo).toEqual([{ reference: first.fullUrl }]);
    expect(first.resource.inResponseTo).toBeUndefined();
    expect(first.resource.extension).toEqual([
      { url: CHANNEL_EXTENSION_URL, extension: [{ url: 'id', valueIdentifier: { system: IDENTIFIER_SYSTEMS.channel, value: 'ch_care' } }, { url: 'type', valueCode: 'care_team' }] },
    ]);
  });

  it('a deleted message is entered-in-error with the reason it is gone and no content', async () => {
    const { text } = await exportWith(new FakeExportRpc({ ch_care: [deleted] }));
    const [gone] = (JSON.parse(text).entry as Entry[]).map((e) => e.resource);
    expect(gone).toMatchObject({ status: 'entered-in-error', statusReason: { text: 'Removed by staff' } });
    expect(gone.payload).toBeUndefined();
    expect(EVENT_STATUS).toContain(gone.status);
  });

  it('pages the timeline (bounded memory): each page asked after the last seq, one chunk per page, one Bundle', async () => {
    const many = Array.from({ length: 7 }, (_, i) => message({ id: `msg_${i + 1}`, seq: i + 1 }));
    const rpc = new FakeExportRpc({ ch_care: many });
    const { text, chunks } = await exportWith(rpc, 3);
    expect(rpc.pageRequests.filter((r) => r.channelId === 'ch_care').map((r) => r.after)).toEqual([0, 3, 6]);
    // opening + three pages + close
    expect(chunks).toBe(5);
    expect((JSON.parse(text).entry as Entry[]).map((e) => e.resource.identifier[0].value)).toEqual(many.map((m) => m.id));
  });

  it('names a sender who is no longer a member (asked once), and leaves the display out for one nobody knows', async () => {
    const left = message({ id: 'msg_left', seq: 1, senderId: 'tm_gone', senderKind: 'team_member' });
    const ghost = message({ id: 'msg_ghost', seq: 2, senderId: 'tm_ghost', senderKind: 'team_member' });
    const again = message({ id: 'msg_ghost2', seq: 3, senderId: 'tm_ghost', senderKind: 'team_member' });
    const rpc = new FakeExportRpc({ ch_care: [left, ghost, again] }, [{ userId: 'tm_gone', kind: 'team_member', firstName: 'Former', lastName: 'Nurse', displayName: null }]);
    const { text } = await exportWith(rpc, 2);
    const senders = (JSON.parse(text).entry as Entry[]).map((e) => e.resource.sender);
    expect(senders.map((s) => s.display ?? null)).toEqual(['Former Nurse', null, null]);
    expect(rpc.peopleRequests).toEqual([['tm_gone', 'tm_ghost']]);
  });

  it("rule 9: a fellow patient of a group appears in this patient's chart by display name only — no id, no real name", async () => {
    const fromFellow = message({ id: 'msg_fellow', seq: 1, channelId: 'ch_group', senderId: 'pt_2', body: 'Same here' });
    const fromPatient = message({ id: 'msg_mine', seq: 2, channelId: 'ch_group', body: 'See you Thursday' });
    const { text } = await exportWith(new FakeExportRpc({ ch_group: [fromFellow, fromPatient] }));
    expect(fhirR4Errors(JSON.parse(text))).toEqual([]);
    const [theirs, mine] = (JSON.parse(text).entry as Entry[]).map((e) => e.resource);
    expect(theirs.sender).toEqual({ type: 'Patient', display: 'Skywalker' });
    expect(mine.recipient).toEqual([{ type: 'Patient', display: 'Skywalker' }, expect.objectContaining({ type: 'Practitioner', display: 'Tess Member' })]);
    expect(text).not.toContain('Secretname');
    expect(text).not.toContain('pt_2');
    expect(mine.sender).toMatchObject({ identifier: { value: 'pt_1' }, display: 'Pat Ient' });
  });

  it('an empty history is still a valid Bundle', async () => {
    const { text } = await exportWith(new FakeExportRpc({}));
    const bundle = JSON.parse(text);
    expect(bundle.entry).toEqual([]);
    expect(fhirR4Errors(bundle)).toEqual([]);
  });

  it('ids are stable FHIR ids: the same message maps to the same UUID, another organisation\'s to another', () => {
    const a = uuidFor('org_1', 'msg_root');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidFor('org_1', 'msg_root')).toBe(a);
    expect(uuidFor('org_2', 'msg_root')).not.toBe(a);
  });

  it('the schema check can fail: a Communication with an unknown field, a bad time or a bad bundle type is rejected', () => {
    const ctx = { orgId: 'org_1', patient, channel: scope.channels[0], people: peopleIndex(scope.people), media: new Map(), baseUrl: 'https://api.example' };
    const { fullUrl, resource } = communicationEntry(root, ctx);
    const bundle = (r: Record<string, unknown>): unknown => ({ resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl, resource: r }] });
    expect(fhirR4Errors(bundle(resource))).toEqual([]);
    expect(fhirR4Errors(bundle({ ...resource, sent: 'yesterday' }))).not.toEqual([]);
    expect(fhirR4Errors(bundle({ ...resource, body: 'not a FHIR field' }))).not.toEqual([]);
    expect(fhirR4Errors({ resourceType: 'Bundle', type: 'chat', entry: [] })).not.toEqual([]);
    // The schema leaves Communication.status an open code: its required value set (EventStatus) is checked here.
    expect(EVENT_STATUS).toContain(resource.status);
  });
});
