import { createHash } from 'node:crypto';
import type { ChannelType, ExportChannel, ExportMedia, ExportPerson, MessageView, PatientExportScope, UserKind } from '@wellifiy/contracts';

/*
 * The FHIR R4 mapping of a patient's conversations (docs/fhir-export.md): one Bundle of type `collection`, one
 * Communication per message. Pure functions, so the mapping is tested without the system running; the controller
 * writes the Bundle a page of messages at a time (patient-export.controller.ts).
 */

export const FHIR_JSON = 'application/fhir+json';

/** Identifier systems of this product's ids (ids are unique within the organisation the export belongs to). */
export const IDENTIFIER_SYSTEMS = {
  message: 'urn:wellifiy:message-id',
  patient: 'urn:wellifiy:patient-id',
  team_member: 'urn:wellifiy:team-member-id',
  channel: 'urn:wellifiy:channel-id',
} as const;

/** The complex extension naming the channel a message was posted in (sub-extensions `id`, `type`, `name`). */
export const CHANNEL_EXTENSION_URL = 'urn:wellifiy:fhir:StructureDefinition:messaging-channel';

const CHANNEL_TOPICS: Record<ChannelType, string> = {
  care_team: 'Care team conversation',
  service_team: 'Service team conversation',
  group: 'Group conversation',
  staff: 'Staff conversation about the patient',
  dm: 'Direct message',
};

type Json = Record<string, unknown>;

export interface FhirReference {
  type: 'Patient' | 'Practitioner';
  identifier?: { system: string; value: string };
  display?: string;
}

/** How a fellow patient of a group is shown when they have no display name we know. */
export const OTHER_PATIENT_DISPLAY = 'Another patient';

/** People by `${kind}:${userId}` (a patient and a team member may share an id). */
export type PeopleIndex = Map<string, ExportPerson>;

export const personKey = (kind: UserKind, userId: string): string => `${kind}:${userId}`;

export function peopleIndex(people: ExportPerson[]): PeopleIndex {
  return new Map(people.map((p) => [personKey(p.kind, p.userId), p]));
}

/**
 * A stable UUID (RFC 4122 version 5 layout, SHA-1 of the organisation and our id) for a resource of the Bundle: the
 * same message gets the same `urn:uuid:` in every export, and a reply can name its root without looking it up.
 */
export function uuidFor(orgId: string, id: string): string {
  const b = createHash('sha1').update(`wellifiy:${orgId}:${id}`).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A logical reference to a person. Another patient than the exported one (a fellow member of a group) appears in this
 * patient's chart only as other patients see them — by display name, without their id or real name (DESIGN §2 rule 9).
 */
export function personReference(people: PeopleIndex, kind: UserKind, userId: string, subjectId: string): FhirReference {
  const person = people.get(personKey(kind, userId));
  if (kind === 'patient' && userId !== subjectId) return { type: 'Patient', display: person?.displayName || OTHER_PATIENT_DISPLAY };
  const display = [person?.firstName, person?.lastName].filter((s): s is string => !!s && s.trim() !== '').join(' ');
  return {
    type: kind === 'patient' ? 'Patient' : 'Practitioner',
    identifier: { system: IDENTIFIER_SYSTEMS[kind], value: userId },
    ...(display ? { display } : {}),
  };
}

/** The Bundle up to its first entry; `bundleClose` ends it. Written first, so the export streams. */
export function bundleOpening(scope: PatientExportScope, orgId: string): string {
  const id = uuidFor(orgId, `export:${scope.patient.userId}:${scope.exportedAt}`);
  const head = {
    resourceType: 'Bundle',
    id,
    meta: { lastUpdated: scope.exportedAt },
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${id}` },
    type: 'collection',
    timestamp: scope.exportedAt,
  };
  const json = JSON.stringify(head);
  return `${json.slice(0, -1)},"entry":[`;
}

export const bundleClose = (): string => ']}';

export interface EntryContext {
  orgId: string;
  patient: ExportPerson;
  channel: ExportChannel;
  people: PeopleIndex;
  /** Attachments of the current page, by media id. */
  media: Map<string, ExportMedia>;
  /** Absolute base of this gateway (`https://host`), for attachment URLs. */
  baseUrl: string;
}

/** One message as a Bundle entry holding a Communication. */
export function communicationEntry(m: MessageView, ctx: EntryContext): { fullUrl: string; resource: Json } {
  const id = uuidFor(ctx.orgId, m.id);
  const sentAt = Date.parse(m.createdAt);
  // The channel's members when it was sent, as far as the current membership tells (see docs/fhir-export.md).
  const recipients = ctx.channel.members
    .filter((x) => !(x.userId === m.senderId && x.kind === m.senderKind) && Date.parse(x.joinedAt) <= sentAt)
    .map((x) => personReference(ctx.people, x.kind, x.userId, ctx.patient.userId));
  const payload = m.deleted
    ? []
    : [
        ...(m.body ? [{ contentString: m.body }] : []),
        ...(m.attachments ?? []).map((mediaId) => ({ contentAttachment: attachment(mediaId, ctx) })),
      ];
  const notes = [
    ...(m.editedAt ? [{ time: m.editedAt, text: m.editedBy === 'staff' ? 'Edited by staff' : 'Edited by the author' }] : []),
  ];
  const resource: Json = {
    resourceType: 'Communication',
    id,
    identifier: [{ system: IDENTIFIER_SYSTEMS.message, value: m.id }],
    status: m.deleted ? 'entered-in-error' : 'completed',
    ...(m.deleted ? { statusReason: { text: m.deletedBy === 'staff' ? 'Removed by staff' : 'Removed by the author' } } : {}),
    ...(m.threadId ? { inResponseTo: [{ reference: `urn:uuid:${uuidFor(ctx.orgId, m.threadId)}` }] } : {}),
    subject: personReference(ctx.people, 'patient', ctx.patient.userId, ctx.patient.userId),
    topic: { text: ctx.channel.name ? `${CHANNEL_TOPICS[ctx.channel.type]}: ${ctx.channel.name}` : CHANNEL_TOPICS[ctx.channel.type] },
    sent: m.createdAt,
    ...(recipients.length ? { recipient: recipients } : {}),
    sender: personReference(ctx.people, m.senderKind, m.senderId, ctx.patient.userId),
    ...(payload.length ? { payload } : {}),
    ...(notes.length ? { note: notes } : {}),
    extension: [channelExtension(ctx.channel)],
  };
  return { fullUrl: `urn:uuid:${id}`, resource };
}

function attachment(mediaId: string, ctx: EntryContext): Json {
  const file = ctx.media.get(mediaId);
  return {
    url: `${ctx.baseUrl}/v1/media/${encodeURIComponent(mediaId)}`,
    ...(file ? { contentType: file.contentType, size: file.size, creation: file.createdAt } : {}),
  };
}

function channelExtension(c: ExportChannel): Json {
  return {
    url: CHANNEL_EXTENSION_URL,
    extension: [
      { url: 'id', valueIdentifier: { system: IDENTIFIER_SYSTEMS.channel, value: c.id } },
      { url: 'type', valueCode: c.type },
      ...(c.name ? [{ url: 'name', valueString: c.name }] : []),
    ],
  };
}
