import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ActivatableChannelType } from '@wellifiy/contracts';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { INTAKE_DECISION_MODEL, IntakeDecisionDoc } from './intake-decision.schema';

export type IntakeDecision = IntakeDecisionDoc;

/** The list of patients needing staff is bounded: an admin works through it, oldest first. */
export const PENDING_LIST_MAX = 500;

export abstract class IntakeDecisionsRepository {
  abstract find(orgId: string, patientId: string, type: ActivatableChannelType): Promise<IntakeDecision | null>;
  /** false when a decision for (orgId, patientId, type) exists already (it stands). */
  abstract insertIfAbsent(decision: IntakeDecision): Promise<boolean>;
  /** A channel now exists for the patient: they no longer need staffing. */
  abstract resolvePending(orgId: string, patientId: string, type: ActivatableChannelType, channelId: string): Promise<void>;
  abstract listPending(orgId: string, type?: ActivatableChannelType): Promise<IntakeDecision[]>;
}

const toDecision = (d: IntakeDecisionDoc): IntakeDecision => ({
  orgId: d.orgId,
  patientId: d.patientId,
  type: d.type,
  outcome: d.outcome,
  teamMemberIds: d.teamMemberIds ?? [],
  channelId: d.channelId ?? null,
  eventId: d.eventId,
  decidedAt: d.decidedAt,
  pending: d.pending,
});

@Injectable()
export class MongoIntakeDecisionsRepository extends IntakeDecisionsRepository {
  constructor(@InjectModel(INTAKE_DECISION_MODEL) private readonly decisions: Model<IntakeDecisionDoc>) {
    super();
  }

  async find(orgId: string, patientId: string, type: ActivatableChannelType): Promise<IntakeDecision | null> {
    const doc = await this.decisions.findOne({ orgId, patientId, type }).select({ _id: 0 }).lean<IntakeDecisionDoc>();
    return doc ? toDecision(doc) : null;
  }

  async insertIfAbsent(decision: IntakeDecision): Promise<boolean> {
    try {
      await this.decisions.collection.insertOne({ ...decision });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async resolvePending(orgId: string, patientId: string, type: ActivatableChannelType, channelId: string): Promise<void> {
    await this.decisions.updateOne({ orgId, patientId, type, pending: true }, { $set: { pending: false, channelId } });
  }

  async listPending(orgId: string, type?: ActivatableChannelType): Promise<IntakeDecision[]> {
    const docs = await this.decisions
      .find({ orgId, pending: true, ...(type ? { type } : {}) })
      .select({ _id: 0 })
      .sort({ decidedAt: 1 })
      .limit(PENDING_LIST_MAX)
      .lean<IntakeDecisionDoc[]>();
    return docs.map(toDecision);
  }
}
