import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { KeyRing } from '@wellifiy/crypto';
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

export type ComplianceEntry = Omit<ComplianceLogDoc, '_id'>;

/** Retention periods, legal holds and the compliance log of this service. */
export abstract class RetentionRepository {
  abstract periods(orgId: string): Promise<RetentionPeriods>;
  abstract setPeriods(periods: Omit<RetentionPeriods, 'updatedAt' | 'updatedBy'> & { updatedAt: Date; updatedBy: string }): Promise<RetentionPeriods>;
  /** Every organisation with a retention period set. */
  abstract organisationsWithRetention(): Promise<RetentionPeriods[]>;
  abstract placeHold(hold: Omit<LegalHold, 'id' | 'releasedAt'>): Promise<LegalHold>;
  /** Active holds, by id ascending from after `afterId`. */
  abstract activeHolds(orgId: string, page?: { afterId?: string; limit: number }): Promise<LegalHold[]>;
  /** Releases an active hold; null when there is none with that id in the organisation. */
  abstract releaseHold(orgId: string, holdId: string, by: string, at: Date): Promise<LegalHold | null>;
  /** Inserted before the action it records is done. With `key`, a repeat (a retried sweep) records nothing twice. */
  abstract log(entry: ComplianceEntry, key?: string): Promise<void>;
}

const ALL_HOLDS_MAX = 10_000;

@Injectable()
export class MongoRetentionRepository extends RetentionRepository {
  constructor(
    @InjectModel(RETENTION_SETTINGS_MODEL) private readonly settings: Model<RetentionSettingsDoc>,
    @InjectModel(LEGAL_HOLD_MODEL) private readonly holds: Model<LegalHoldDoc>,
    @InjectModel(COMPLIANCE_LOG_MODEL) private readonly entries: Model<ComplianceLogDoc>,
    private readonly ring: KeyRing,
  ) {
    super();
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

  async releaseHold(orgId: string, holdId: string, by: string, at: Date): Promise<LegalHold | null> {
    const res = await this.holds.updateOne({ _id: holdId, orgId, releasedAt: null }, { $set: { releasedAt: at, releasedBy: by } });
    if (res.modifiedCount !== 1) return null;
    const doc = await this.holds.findOne({ _id: holdId, orgId }).lean<LegalHoldDoc>();
    return doc ? this.toHold(doc) : null;
  }

  async log(entry: ComplianceEntry, key?: string): Promise<void> {
    try {
      await this.entries.collection.insertOne({ _id: key ?? newId('cmp'), ...entry } as never);
    } catch (err) {
      if (!key || !isDuplicateKeyError(err)) throw err;
    }
  }

  private toHold(d: LegalHoldDoc): LegalHold {
    return {
      id: d._id, orgId: d.orgId, patientId: d.patientId ?? null, channelId: d.channelId ?? null,
      reason: this.ring.decryptText(d.reason, `legal-hold-reason:${d._id}`),
      placedBy: d.placedBy, placedAt: d.placedAt, releasedAt: d.releasedAt ?? null,
    };
  }
}

function toPeriods(d: RetentionSettingsDoc): RetentionPeriods {
  return { orgId: d.orgId, messageContentDays: d.messageContentDays ?? null, mediaDays: d.mediaDays ?? null, updatedAt: d.updatedAt, updatedBy: d.updatedBy };
}
