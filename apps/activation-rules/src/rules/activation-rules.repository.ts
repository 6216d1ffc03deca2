import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ActivatableChannelType, Events } from '@wellifiy/contracts';
import { newOutbox, OUTBOX_HIDDEN, OutboxRelay } from '@wellifiy/messaging';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import {
  ACTIVATION_RULE_CHANGE_MODEL, ACTIVATION_RULE_MODEL, ActivationRuleChangeDoc, ActivationRuleDoc, RuleSettingsDoc,
} from './activation-rule.schema';

export type ActivationRule = ActivationRuleDoc;
export type ActivationRuleChange = ActivationRuleChangeDoc;

export function changeId(orgId: string, type: ActivatableChannelType, version: number): string {
  return `${orgId}:${type}:${version}`;
}

/** The audit entry a rule document carries for its latest version. */
export function lastChangeOf(rule: ActivationRule): ActivationRuleChange {
  return { _id: changeId(rule.orgId, rule.type, rule.version), orgId: rule.orgId, type: rule.type, version: rule.version, ...rule.lastChange };
}

export abstract class ActivationRulesRepository {
  abstract find(orgId: string, type: ActivatableChannelType): Promise<ActivationRule | null>;
  /**
   * Writes the rule (with its `lastChange`) if the stored one is still at `rule.version - 1` (absent for 1),
   * then appends the change to the audit trail. false: someone else changed the rule first; nothing written.
   */
  abstract save(rule: ActivationRule): Promise<boolean>;
  /** Appends an audit entry unless it is there already. */
  abstract appendChange(change: ActivationRuleChange): Promise<void>;
  /** Newest first. */
  abstract history(orgId: string, type: ActivatableChannelType, limit: number): Promise<ActivationRuleChange[]>;
}

const settings = (s: RuleSettingsDoc | null | undefined): RuleSettingsDoc | null =>
  s ? { autoActivate: s.autoActivate, teamMemberIds: [...(s.teamMemberIds ?? [])] } : null;

@Injectable()
export class MongoActivationRulesRepository extends ActivationRulesRepository {
  constructor(
    @InjectModel(ACTIVATION_RULE_MODEL) private readonly rules: Model<ActivationRuleDoc>,
    @InjectModel(ACTIVATION_RULE_CHANGE_MODEL) private readonly changes: Model<ActivationRuleChangeDoc>,
    private readonly relay: OutboxRelay,
  ) {
    super();
    relay.register(changes);
  }

  async find(orgId: string, type: ActivatableChannelType): Promise<ActivationRule | null> {
    const doc = await this.rules.findOne({ orgId, type }).select({ _id: 0 }).lean<ActivationRuleDoc>();
    if (!doc) return null;
    return {
      orgId: doc.orgId,
      type: doc.type,
      autoActivate: doc.autoActivate,
      teamMemberIds: doc.teamMemberIds ?? [],
      version: doc.version,
      updatedAt: doc.updatedAt,
      updatedBy: doc.updatedBy,
      lastChange: { ...doc.lastChange, before: settings(doc.lastChange.before), after: settings(doc.lastChange.after) as RuleSettingsDoc },
    };
  }

  async save(rule: ActivationRule): Promise<boolean> {
    const { orgId, type, version } = rule;
    if (version === 1) {
      try {
        await this.rules.collection.insertOne({ ...rule });
      } catch (err) {
        if (isDuplicateKeyError(err)) return false;
        throw err;
      }
    } else {
      const { orgId: _o, type: _t, ...fields } = rule;
      const res = await this.rules.collection.updateOne({ orgId, type, version: version - 1 }, { $set: fields });
      if (res.matchedCount !== 1) return false;
    }
    await this.appendChange(lastChangeOf(rule));
    return true;
  }

  /**
   * The change row is inserted with its `audit.recorded` event in its outbox (entry id = change id, so the repair
   * of an interrupted append adds no second entry to the organisation's trail).
   */
  async appendChange(change: ActivationRuleChange): Promise<void> {
    const events = this.relay.toStored([{
      id: `rule-changed:${change._id}`, type: Events.AuditRecorded, orgId: change.orgId, time: change.at.toISOString(),
      data: { action: 'activation-rule.changed', actorId: change.actorId, targetUserId: null, reason: `${change.type} rule version ${change.version}` },
    }]);
    try {
      await this.changes.collection.insertOne({ ...change, ...newOutbox(events) } as never);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      return;
    }
    this.relay.dispatchSoon(this.changes, change._id, events, `rule-change:${change._id}`);
  }

  async history(orgId: string, type: ActivatableChannelType, limit: number): Promise<ActivationRuleChange[]> {
    const docs = await this.changes.find({ orgId, type }).select(OUTBOX_HIDDEN).sort({ version: -1 }).limit(limit).lean<ActivationRuleChangeDoc[]>();
    return docs.map((d) => ({ ...d, before: settings(d.before), after: settings(d.after) as RuleSettingsDoc }));
  }
}
