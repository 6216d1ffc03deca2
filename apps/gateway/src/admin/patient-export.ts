import { Actor, EXPORT_PAGE_MAX, ExportPerson, PatientExportScope, Rpc } from '@wellifiy/contracts';
import type { RpcClient } from '@wellifiy/messaging';
import { bundleClose, bundleOpening, communicationEntry, peopleIndex, personKey } from './fhir-bundle';

export interface ExportStreamInput {
  rpc: Pick<RpcClient, 'send'>;
  actor: Actor;
  scope: PatientExportScope;
  /** Absolute base of this gateway, for attachment URLs. */
  baseUrl: string;
  correlationId?: string;
  /** Messages per page asked of the messages service (bounded: the gateway holds one page at a time). */
  pageSize?: number;
}

/**
 * The Bundle as text chunks: its opening, then the channels' messages a page at a time, then its end. Memory stays
 * bounded by one page (and the names of the people met so far), however long the patient's history.
 */
export async function* fhirBundleChunks({ rpc, actor, scope, baseUrl, correlationId, pageSize = EXPORT_PAGE_MAX }: ExportStreamInput): AsyncGenerator<string> {
  const opts = { correlationId };
  const people = peopleIndex(scope.people);
  // Ids looked up already and not found, so each is asked for once.
  const unknown = new Set<string>();
  yield bundleOpening(scope, actor.orgId);
  let first = true;
  for (const channel of scope.channels) {
    let after = 0;
    for (;;) {
      const page = await rpc.send(Rpc.MessagesExportPage, { actor, channelId: channel.id, after, limit: pageSize }, opts);
      const missing = [...new Set(page.messages.filter((m) => !people.has(personKey(m.senderKind, m.senderId))).map((m) => m.senderId))]
        .filter((id) => !unknown.has(id));
      if (missing.length) {
        const found: ExportPerson[] = await rpc.send(Rpc.ChannelsExportPeople, { actor, userIds: missing }, opts);
        for (const p of found) people.set(personKey(p.kind, p.userId), p);
        for (const id of missing) unknown.add(id);
      }
      const media = new Map(page.media.map((f) => [f.id, f]));
      const entries = page.messages.map((m) => JSON.stringify(communicationEntry(m, { orgId: actor.orgId, patient: scope.patient, channel, people, media, baseUrl })));
      if (entries.length) {
        yield (first ? '' : ',') + entries.join(',');
        first = false;
      }
      const last = page.messages[page.messages.length - 1];
      if (!page.hasMore || !last) break;
      after = last.seq;
    }
  }
  yield bundleClose();
}
