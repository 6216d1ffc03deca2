import { Injectable } from '@nestjs/common';
import { ChannelsRepository } from '../channels/channels.repository';
import { ChannelPatientLookup } from './audit.service';

const CACHE_MAX = 10_000;

/**
 * A channel's patient never changes once it exists, so the answer is kept (bounded, oldest dropped first): the
 * audit entry of every send costs no read of the channel after its first — none at all when this process
 * recorded the channel's creation or a change of it (the event carries the channel).
 */
@Injectable()
export class CachedChannelPatientLookup extends ChannelPatientLookup {
  private readonly known = new Map<string, string | null>();

  constructor(private readonly channels: ChannelsRepository) {
    super();
  }

  async patientOf(orgId: string, channelId: string): Promise<string | null> {
    const key = `${orgId}:${channelId}`;
    const hit = this.known.get(key);
    if (hit !== undefined) return hit;
    const channel = await this.channels.findById(orgId, channelId);
    // An unknown channel is not remembered: it may be created after this lookup.
    if (!channel) return null;
    const patientId = channel.patientId ?? null;
    this.remember(orgId, channelId, patientId);
    return patientId;
  }

  override remember(orgId: string, channelId: string, patientId: string | null): void {
    const key = `${orgId}:${channelId}`;
    if (this.known.has(key)) return;
    if (this.known.size >= CACHE_MAX) this.known.delete(this.known.keys().next().value as string);
    this.known.set(key, patientId);
  }
}
