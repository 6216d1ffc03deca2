import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { EmailFrequency, Events } from '@wellifiy/contracts';
import { newOutbox, OutboxRelay, pushOutbox } from '@wellifiy/messaging';
import { findInChunks, isDuplicateKeyError, oneOrIn } from '@wellifiy/persistence';
import { SETTINGS_MODEL, SettingsDoc, settingsId } from './settings.schema';

export interface StoredSettings {
  userId: string;
  emailFrequency: EmailFrequency;
  emailDelayMinutes: number;
  pushEnabled: boolean;
  mutedChannelIds: string[];
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

export type SettingsFields = Pick<StoredSettings, 'emailFrequency' | 'emailDelayMinutes' | 'pushEnabled' | 'mutedChannelIds'>;

export abstract class SettingsRepository {
  abstract find(orgId: string, userId: string): Promise<StoredSettings | null>;
  abstract findMany(orgId: string, userIds: string[]): Promise<Map<string, StoredSettings>>;
  /**
   * Writes `fields` if the stored version is still `expectedVersion` (0 = none stored yet).
   * Returns the stored settings, or null when someone else changed them first (re-read and retry).
   */
  abstract save(orgId: string, userId: string, fields: SettingsFields, expectedVersion: number, actorId: string): Promise<StoredSettings | null>;
}

function toSettings(d: SettingsDoc): StoredSettings {
  return {
    userId: d.userId,
    emailFrequency: d.emailFrequency,
    emailDelayMinutes: d.emailDelayMinutes,
    pushEnabled: d.pushEnabled,
    mutedChannelIds: [...(d.mutedChannelIds ?? [])],
    version: d.version,
    updatedAt: d.updatedAt,
    updatedBy: d.updatedBy,
  };
}

@Injectable()
export class MongoSettingsRepository extends SettingsRepository {
  constructor(
    @InjectModel(SETTINGS_MODEL) private readonly settings: Model<SettingsDoc>,
    private readonly relay: OutboxRelay,
  ) {
    super();
    relay.register(settings);
  }

  async find(orgId: string, userId: string): Promise<StoredSettings | null> {
    const doc = await this.settings.findOne({ orgId, userId }).lean<SettingsDoc>();
    return doc ? toSettings(doc) : null;
  }

  async findMany(orgId: string, userIds: string[]): Promise<Map<string, StoredSettings>> {
    const docs = await findInChunks(userIds, (ids) => this.settings.find({ orgId, userId: oneOrIn(ids) }).lean<SettingsDoc[]>());
    return new Map(docs.map((d) => [d.userId, toSettings(d)]));
  }

  async save(orgId: string, userId: string, fields: SettingsFields, expectedVersion: number, actorId: string): Promise<StoredSettings | null> {
    const _id = settingsId(orgId, userId);
    const next = { ...fields, version: expectedVersion + 1, updatedAt: new Date(), updatedBy: actorId };
    // The change's audit entry travels with it (same write); its id names the version, so it is recorded once.
    const events = this.relay.toStored([{
      id: `settings-changed:${_id}:${next.version}`, type: Events.AuditRecorded, orgId, time: next.updatedAt.toISOString(),
      data: { action: 'notification-settings.changed', actorId, targetUserId: userId },
    }]);
    // Version compare-and-set: of concurrent writers (any process) one wins.
    const saved = await (async () => {
      if (expectedVersion === 0) {
        try {
          await this.settings.collection.insertOne({ _id: _id as never, orgId, userId, ...next, ...newOutbox(events) });
        } catch (err) {
          if (isDuplicateKeyError(err)) return null;
          throw err;
        }
      } else {
        const res = await this.settings.collection.updateOne({ _id: _id as never, orgId, version: expectedVersion }, { $set: next, ...pushOutbox(events) } as never);
        if (res.matchedCount !== 1) return null;
      }
      return { userId, ...next };
    })();
    if (saved) this.relay.dispatchSoon(this.settings, _id, events, `settings:${_id}`);
    return saved;
  }
}
