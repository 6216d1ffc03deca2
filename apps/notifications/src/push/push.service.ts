import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Actor, DomainError, ErrorCode, JobIds, JobRetries, Jobs, MessageView, PushConfigView, PushSendJob, PushSubscriptionView, Queues } from '@wellifiy/contracts';
import { currentTraceContext } from '@wellifiy/messaging';
import { NotificationsConfig } from '../config/notifications.config';
import { ChannelState, ReadStateRepository } from '../read-state/read-state.repository';
import { readMarker } from '../read-state/unread';
import { effectiveSettings } from '../settings/effective-settings';
import { SettingsRepository } from '../settings/settings.repository';
import { EndpointRefused, PushEndpointPolicy } from './endpoint-policy';
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

  constructor(
    private readonly subscriptions: PushSubscriptionsRepository,
    private readonly readStates: ReadStateRepository,
    private readonly settings: SettingsRepository,
    private readonly provider: PushProvider,
    @InjectQueue(Queues.Push) private readonly queue: Queue,
    private readonly config: NotificationsConfig,
    private readonly endpoints: PushEndpointPolicy,
  ) {}

  /**
   * Registers a patient's device. The endpoint is checked (https, public addresses — again before every send),
   * stays bound to the user who registered it (another user gets PUSH_ENDPOINT_TAKEN), and a user keeps at
   * most PUSH_MAX_DEVICES_PER_USER devices: registering one more removes the least recently registered.
   */
  async register(actor: Actor, endpoint: string, keys: { p256dh: string; auth: string }): Promise<PushSubscriptionView> {
    if (actor.kind !== 'patient') throw new DomainError(ErrorCode.Forbidden, 'push notifications are for patients');
    try {
      await this.endpoints.check(endpoint);
    } catch (err) {
      if (err instanceof EndpointRefused) throw new DomainError(ErrorCode.PushEndpointNotAllowed, err.problem);
      throw err;
    }
    const result = await this.subscriptions.register({ orgId: actor.orgId, userId: actor.userId, endpoint, keys, maxDevices: this.config.PUSH_MAX_DEVICES_PER_USER });
    if (result.status === 'endpoint-taken') {
      throw new DomainError(
        ErrorCode.PushEndpointTaken,
        'this push endpoint is registered to another user; unsubscribe it on the device and subscribe again (a new subscription has a new endpoint)',
      );
    }
    if (result.evicted) this.logger.log(`push device limit: ${result.evicted} older subscription(s) of a user removed`);
    const sub = result.subscription;
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
        .filter((r) => r.channelId === channel.id && !r.archived && readMarker(channel, r).readSeq < message.seq)
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
        ...currentTraceContext(),
      };
      await this.queue.add(Jobs.PushSend, data, {
        jobId: JobIds.pushSend(message.id, sub.id),
        ...JobRetries[Queues.Push],
        attempts: this.config.PUSH_MAX_ATTEMPTS,
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
