import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Actor, DomainError, ErrorCode, MessageView, PushConfigView, PushSubscriptionView } from '@wellifiy/contracts';
import { NotificationsConfig } from '../config/notifications.config';
import { JobIds, Jobs, PUSH_BACKOFF, PushSendJob, Queues } from '../jobs/queues';
import { ChannelState, ReadStateRepository } from '../read-state/read-state.repository';
import { effectiveSettings } from '../settings/effective-settings';
import { SettingsRepository } from '../settings/settings.repository';
import { parseAllowedHosts, pushEndpointProblem } from './endpoint-policy';
import { PushPayload, PushProvider } from './push-provider';
import { PushSubscriptionsRepository } from './push-subscriptions.repository';

/** Generic on purpose: the app fetches the content after opening (no PHI on lock screens or push services). */
export const PUSH_TITLE = 'Wellifiy';
export const PUSH_BODY = 'You have a new message';

export type PushDelivery = 'sent' | 'gone' | 'unknown-subscription';

/** Web Push for patients: device registrations, one push per new message per device, expired ones dropped. */
@Injectable()
export class PushService {
  private readonly logger = new Logger('Push');
  private readonly allowedHosts: string[];

  constructor(
    private readonly subscriptions: PushSubscriptionsRepository,
    private readonly readStates: ReadStateRepository,
    private readonly settings: SettingsRepository,
    private readonly provider: PushProvider,
    @InjectQueue(Queues.Push) private readonly queue: Queue,
    private readonly config: NotificationsConfig,
  ) {
    this.allowedHosts = parseAllowedHosts(config.PUSH_ALLOWED_HOSTS);
  }

  async register(actor: Actor, endpoint: string, keys: { p256dh: string; auth: string }): Promise<PushSubscriptionView> {
    if (actor.kind !== 'patient') throw new DomainError(ErrorCode.Forbidden, 'push notifications are for patients');
    const problem = pushEndpointProblem(endpoint, this.allowedHosts);
    if (problem) throw new DomainError(ErrorCode.PushEndpointNotAllowed, problem);
    const sub = await this.subscriptions.upsert(actor.orgId, actor.userId, endpoint, keys);
    return { id: sub.id, provider: sub.provider, createdAt: sub.createdAt.toISOString() };
  }

  async unregister(actor: Actor, subscriptionId: string): Promise<{ deleted: true }> {
    if (!(await this.subscriptions.delete(actor.orgId, subscriptionId, actor.userId))) {
      throw new DomainError(ErrorCode.NotFound, `push subscription ${subscriptionId} not found`);
    }
    return { deleted: true };
  }

  pushConfig(): PushConfigView {
    return { webPush: { enabled: this.provider.enabled, vapidPublicKey: this.provider.enabled ? (this.config.VAPID_PUBLIC_KEY ?? null) : null } };
  }

  /**
   * Queues one push per device of each patient member other than the sender whose channel is neither
   * archived nor muted and who has push on. Job ids make a redelivered message.created a no-op.
   */
  async messageCreated(orgId: string, message: MessageView, channel: ChannelState, correlationId?: string): Promise<number> {
    if (!this.provider.enabled) return 0;
    const patients = channel.members.filter((m) => m.kind === 'patient' && m.userId !== message.senderId).map((m) => m.userId);
    if (!patients.length) return 0;
    const [rows, stored, subs] = await Promise.all([
      this.readStates.rowsOfUsers(orgId, patients),
      this.settings.findMany(orgId, patients),
      this.subscriptions.ofUsers(orgId, patients),
    ]);
    const eligible = new Set(
      rows
        .filter((r) => r.channelId === channel.id && !r.archived && r.readSeq < message.seq)
        .filter((r) => {
          const s = effectiveSettings(r.userId, stored.get(r.userId), this.config);
          return s.pushEnabled && !s.muted.has(channel.id);
        })
        .map((r) => r.userId),
    );
    let queued = 0;
    for (const sub of subs) {
      if (!eligible.has(sub.userId)) continue;
      const data: PushSendJob = {
        orgId, subscriptionId: sub.id, channelId: message.channelId, messageId: message.id, seq: message.seq,
        ...(correlationId ? { correlationId } : {}),
      };
      await this.queue.add(Jobs.PushSend, data, {
        jobId: JobIds.pushSend(message.id, sub.id),
        attempts: this.config.PUSH_MAX_ATTEMPTS,
        backoff: PUSH_BACKOFF,
        // Completed ids are kept for a day: a redelivered message.created adds nothing (the handler is repeat-safe).
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: true,
      });
      queued++;
    }
    return queued;
  }

  /** The push job: send to one device; a subscription the push service no longer knows is deleted. */
  async deliver(job: PushSendJob): Promise<PushDelivery> {
    const sub = await this.subscriptions.find(job.orgId, job.subscriptionId);
    if (!sub) return 'unknown-subscription';
    const payload: PushPayload = {
      type: 'message.created', channelId: job.channelId, messageId: job.messageId, seq: job.seq, title: PUSH_TITLE, body: PUSH_BODY,
    };
    const outcome = await this.provider.send({ endpoint: sub.endpoint, keys: sub.keys }, payload);
    if (outcome === 'gone') {
      await this.subscriptions.delete(job.orgId, sub.id);
      this.logger.log(`push subscription ${sub.id} expired and was removed`);
    }
    return outcome;
  }
}
