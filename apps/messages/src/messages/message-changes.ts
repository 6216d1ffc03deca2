import { Injectable } from '@nestjs/common';
import { OutboxEntry } from '@wellifiy/messaging';
import { casBackoff } from '@wellifiy/persistence';
import { MessageFields, OpenedMessage } from './message.mapper';
import { MessageStore } from './message.store';

export interface MessageChange {
  set: MessageFields;
  /** The events announcing the change, built from the message as it will be stored. */
  events: (next: OpenedMessage) => OutboxEntry[];
}

/** Returns the change to make, null for "nothing to do", or throws a DomainError to refuse. */
export type MessageDecision = (current: OpenedMessage) => MessageChange | null | Promise<MessageChange | null>;

/** Which message: by channel (members' commands) or anywhere in the organisation (jobs). */
export type MessageRef = { orgId: string; messageId: string; channelId?: string };

const CHANGE_ATTEMPTS = 50;

/**
 * In-place changes of a message (reactions, thread counters, edits, deletes, link previews): read, decide, write
 * if still at the version read. Of concurrent writers (any process) one wins; the others read again and decide again.
 */
@Injectable()
export class MessageChanges {
  constructor(private readonly store: MessageStore) {}

  /** The message as changed (or as it stood, when the decision was "nothing to do"); null when it does not exist. */
  async apply({ orgId, messageId, channelId }: MessageRef, decide: MessageDecision): Promise<OpenedMessage | null> {
    for (let attempt = 0; attempt < CHANGE_ATTEMPTS; attempt++) {
      const current = channelId !== undefined ? await this.store.findById(orgId, channelId, messageId) : await this.store.findInOrg(orgId, messageId);
      if (!current) return null;
      const change = await decide(current);
      if (!change) return current;
      const next: OpenedMessage = { ...current, ...change.set, version: (current.version ?? 0) + 1 };
      const written = await this.store.write({ current, set: change.set, events: change.events(next) });
      if (written) return written;
      await casBackoff(attempt);
    }
    throw new Error(`message ${messageId} kept changing under us (${CHANGE_ATTEMPTS} attempts)`);
  }
}
