import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { AuditRecordedData, Events } from '@wellifiy/contracts';
import { KeyRing } from '@wellifiy/crypto';
import { newOutbox, OutboxEntry, OutboxRelay } from '@wellifiy/messaging';
import { isDuplicateKeyError, newId } from '@wellifiy/persistence';
import { COMPLIANCE_LOG_MODEL, ComplianceLogDoc, LEGAL_HOLD_MODEL, LegalHoldDoc, RETENTION_SETTINGS_MODEL, RetentionSettingsDoc } from './retention.schema';

export interface RetentionPeriods {
  orgId: string;
  messageContentDays: number | null;
  mediaDays: number | null;
  updatedAt: Date | null;
  updatedBy: string | null;
}

export interface LegalHold {
  id: string;
  orgId: string;
  patientId: string | null;
  channelId: string | null;
  reason: string;
  placedBy: string;
  placedAt: Date;
  releasedAt: Date | null;
}

export interface LogOptions {
  /**
   * Publish the row's events only when this resolves (an erasure: after the key is destroyed, so no process that
   * hears `patient.erased` reloads the key before it is gone). A crash before leaves them to the outbox sweeper.
   */
  publishAfter?: Promise<unknown>;
}

export type ComplianceEntry = Omit<ComplianceLogDoc, '_id' | 'outbox' | 'outboxAt' | 'outboxPending'>;

/** Retention periods, legal holds and the compliance log of this service. */
export abstract class RetentionRepository {
  abstract periods(orgId: string): Promise<RetentionPeriods>;
  abstract setPeriods(periods: Omit<RetentionPeriods, 'updatedAt' | 'updatedBy'> & { updatedAt: Date; updatedBy: string }): Promise<RetentionPeriods>;
  /** Every organisation with a retention period set. */
  abstract organisationsWithRetention(): Promise<RetentionPeriods[]>;
  abstract placeHold(hold: Omit<LegalHold, 'id' | 'releasedAt'>): Promise<LegalHold>;
  /** Active holds, by id ascending from after `afterId`. */
  abstract activeHolds(orgId: string, page?: { afterId?: string; limit: number }): Promise<LegalHold[]>;
  /**
   * An erasure: drops the free-text reasons of the (released) holds on the patient or on their channels — the hold
   * stays with its ids and times. Returns how many were dropped.
   */
  abstract dropHoldReasons(orgId: string, patientId: string, channelIds: string[]): Promise<number>;
  /** Releases an active hold; null when there is none with that id in the organisation. */
  abstract releaseHold(orgId: string, holdId: string, by: string, at: Date): Promise<LegalHold | null>;
  /**
   * Inserted before the action it records is done, with its `audit.recorded` event (the organisation's trail) and
   * any `also` events in its outbox. With `key`, a repeat (a retried sweep) records nothing twice.
   */
  abstract log(entry: ComplianceEntry, key?: string, also?: Omit<OutboxEntry, 'id' | 'orgId' | 'time'>[], opts?: LogOptions): Promise<void>;
}

const ALL_HOLDS_MAX = 10_000;

@Injectable()
export class MongoRetentionRepository extends RetentionRepository {
  constructor(
    @InjectModel(RETENTION_SETTINGS_MODEL) private readonly settings: Model<RetentionSettingsDoc>,
    @InjectModel(LEGAL_HOLD_MODEL) private readonly holds: Model<LegalHoldDoc>,
    @InjectModel(COMPLIANCE_LOG_MODEL) private readonly entries: Model<ComplianceLogDoc>,
    private readonly ring: KeyRing,
    private readonly relay: OutboxRelay,
  ) {
    super();
    relay.register(entries);
  }

  async periods(orgId: string): Promise<RetentionPeriods> {
    const doc = await this.settings.findOne({ _id: orgId, orgId }).lean<RetentionSettingsDoc>();
    return doc ? toPeriods(doc) : { orgId, messageContentDays: null, mediaDays: null, updatedAt: null, updatedBy: null };
  }

  async setPeriods(p: Omit<RetentionPeriods, 'updatedAt' | 'updatedBy'> & { updatedAt: Date; updatedBy: string }): Promise<RetentionPeriods> {
    // One whole-document $set of one document: atomic on both servers.
    await this.settings.updateOne(
      { _id: p.orgId },
      { $set: { orgId: p.orgId, messageContentDays: p.messageContentDays, mediaDays: p.mediaDays, updatedAt: p.updatedAt, updatedBy: p.updatedBy } },
      { upsert: true },
    );
    return this.periods(p.orgId);
  }

  async organisationsWithRetention(): Promise<RetentionPeriods[]> {
    const docs = await this.settings.find({}).lean<RetentionSettingsDoc[]>();
    return docs.map(toPeriods).filter((p) => p.messageContentDays !== null || p.mediaDays !== null);
  }

  async placeHold(hold: Omit<LegalHold, 'id' | 'releasedAt'>): Promise<LegalHold> {
    const _id = newId('hold');
    const doc: LegalHoldDoc = {
      _id, orgId: hold.orgId, patientId: hold.patientId, channelId: hold.channelId,
      reason: this.ring.encrypt(hold.reason, `legal-hold-reason:${_id}`),
      placedBy: hold.placedBy, placedAt: hold.placedAt, releasedAt: null, releasedBy: null,
    };
    await this.holds.collection.insertOne(doc as never);
    return this.toHold(doc);
  }

  async activeHolds(orgId: string, page: { afterId?: string; limit: number } = { limit: ALL_HOLDS_MAX }): Promise<LegalHold[]> {
    // serves: { orgId, releasedAt, _id } index
    const docs = await this.holds
      .find({ orgId, releasedAt: null, ...(page.afterId ? { _id: { $gt: page.afterId } } : {}) })
      .sort({ _id: 1 })
      .limit(page.limit)
      .lean<LegalHoldDoc[]>();
    return docs.map((d) => this.toHold(d));
  }

  async dropHoldReasons(orgId: string, patientId: string, channelIds: string[]): Promise<number> {
    const byPatient = await this.holds.updateMany({ orgId, patientId, reason: { $ne: null } }, { $set: { reason: null } });
    const byChannel = channelIds.length ? await this.holds.updateMany({ orgId, channelId: { $in: channelIds }, reason: { $ne: null } }, { $set: { reason: null } }) : { modifiedCount: 0 };
    return byPatient.modifiedCount + byChannel.modifiedCount;
  }

  async releaseHold(orgId: string, holdId: string, by: string, at: Date): Promise<LegalHold | null> {
    const res = await this.holds.updateOne({ _id: holdId, orgId, releasedAt: null }, { $set: { releasedAt: at, releasedBy: by } });
    if (res.modifiedCount !== 1) return null;
    const doc = await this.holds.findOne({ _id: holdId, orgId }).lean<LegalHoldDoc>();
    return doc ? this.toHold(doc) : null;
  }

  async log(entry: ComplianceEntry, key?: string, also: Omit<OutboxEntry, 'id' | 'orgId' | 'time'>[] = [], opts: LogOptions = {}): Promise<void> {
    const _id = key ?? newId('cmp');
    const time = entry.at.toISOString();
    const audited: AuditRecordedData = {
      action: entry.action, actorId: entry.actorId, channelId: entry.channelId ?? null, messageId: entry.messageId ?? null,
      patientId: entry.patientId ?? null, reason: entry.holdId ? `legal hold ${entry.holdId}` : null,
    };
    // The trail's entry id is the row's id: the channels service keeps it once however often it is relayed.
    const events = this.relay.toStored([
      { id: _id, type: Events.AuditRecorded, orgId: entry.orgId, time, data: audited },
      ...also.map((e, i) => ({ ...e, id: `${_id}:${i + 1}`, orgId: entry.orgId, time })),
    ]);
    try {
      await this.entries.collection.insertOne({ _id, ...entry, ...newOutbox(events) } as never);
    } catch (err) {
      if (!key || !isDuplicateKeyError(err)) throw err;
      return;
    }
    if (!opts.publishAfter) return this.relay.dispatchSoon(this.entries, _id, events, `compliance:${_id}`);
    void opts.publishAfter.then(
      () => this.relay.dispatchSoon(this.entries, _id, events, `compliance:${_id}`),
      () => undefined, // the action failed: its events wait for the sweeper, like after a crash
    );
  }

  private toHold(d: LegalHoldDoc): LegalHold {
    return {
      id: d._id, orgId: d.orgId, patientId: d.patientId ?? null, channelId: d.channelId ?? null,
      reason: d.reason ? this.ring.decryptText(d.reason, `legal-hold-reason:${d._id}`) : '',
      placedBy: d.placedBy, placedAt: d.placedAt, releasedAt: d.releasedAt ?? null,
    };
  }
}

function toPeriods(d: RetentionSettingsDoc): RetentionPeriods {
  return { orgId: d.orgId, messageContentDays: d.messageContentDays ?? null, mediaDays: d.mediaDays ?? null, updatedAt: d.updatedAt, updatedBy: d.updatedBy };
}
