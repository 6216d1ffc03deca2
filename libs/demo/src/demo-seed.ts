import amqp from 'amqplib';
import { mintAccessToken } from '@wellifiy/auth';
import {
  DEMO_DM_MEMBER_IDS, DEMO_GROUP_CHANNEL, DEMO_MANAGER, DEMO_MESSAGES, DEMO_ORGANISATION, DEMO_STAFF_CHANNEL, DEMO_USERS, DemoChannelRef, DemoUser,
} from './demo-organisation';

export interface DemoSeedOptions {
  /** The gateway the seed talks to, like a client app (e.g. http://localhost:3000). */
  gatewayUrl: string;
  /** The broker the patient service and staff directory publish on (a user that may write on wellifiy.events). */
  amqpUrl: string;
  /** The gateway's HS256 secret: the seed acts as the demo users with tokens of its own. */
  jwtSecret: string;
  /** How long to wait for the services to know the demo users (default 30 s). */
  timeoutMs?: number;
}

export interface DemoSeedResult {
  /** Channel ids: `care_team:<patientId>`, `group`, `staff`, `dm`. */
  channels: Record<string, string>;
  /** Channels and messages this run created; 0 and 0 when the organisation was seeded before. */
  channelsCreated: number;
  messagesCreated: number;
}

const EXCHANGE = 'wellifiy.events';

/**
 * Introduces the demo organisation the way production gets its people (staff directory and patient service events on
 * the broker) and builds its conversations through the gateway the way a client does. Idempotent, so every start of
 * the run command may call it: events carry fixed ids, care-team activation returns the existing channel, the group
 * and staff channels are looked up by name before they are created, the DM is the same for the same members, and
 * messages are sent under fixed clientMessageIds.
 */
export async function seedDemoOrganisation(opts: DemoSeedOptions): Promise<DemoSeedResult> {
  await publishDirectoryEvents(opts.amqpUrl);
  const client = new SeedClient(opts);
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (const user of DEMO_USERS) await client.waitUntilKnown(user, deadline);
  for (const user of DEMO_USERS) {
    if (user.kind === 'patient' && user.displayName !== user.firstName) {
      await client.call(user, 'PATCH', '/v1/me/profile', { displayName: user.displayName });
    }
  }

  const channels: Record<string, string> = {};
  let channelsCreated = 0;
  for (const patient of DEMO_USERS.filter((u) => u.kind === 'patient')) {
    // Activation answers 200 whether or not the channel existed: look first, to report what this run added.
    const before = await client.call(DEMO_MANAGER, 'GET', `/v1/channels?type=care_team&patientId=${patient.userId}`);
    const { body } = await client.call(DEMO_MANAGER, 'POST', `/v1/patients/${patient.userId}/channels/care_team/activate`);
    channels[`care_team:${patient.userId}`] = body.id;
    if ((before.body as unknown[]).length === 0) channelsCreated++;
  }
  const group = await client.findOrCreate('group', `/v1/channels?type=group`, (c) => c.name === DEMO_GROUP_CHANNEL.name, {
    type: 'group', name: DEMO_GROUP_CHANNEL.name, memberIds: [...DEMO_GROUP_CHANNEL.memberIds],
  });
  const staff = await client.findOrCreate('staff', `/v1/channels?type=staff&patientId=${DEMO_STAFF_CHANNEL.patientId}`, (c) => c.name === DEMO_STAFF_CHANNEL.name, {
    type: 'staff', name: DEMO_STAFF_CHANNEL.name, patientId: DEMO_STAFF_CHANNEL.patientId, memberIds: [...DEMO_STAFF_CHANNEL.memberIds],
  });
  const dm = await client.call(DEMO_MANAGER, 'POST', '/v1/channels', { type: 'dm', memberIds: [...DEMO_DM_MEMBER_IDS] });
  Object.assign(channels, { group: group.id, staff: staff.id, dm: dm.body.id });
  channelsCreated += Number(group.created) + Number(staff.created) + Number(dm.status === 201);

  let messagesCreated = 0;
  for (const m of DEMO_MESSAGES) {
    const sender = DEMO_USERS.find((u) => u.userId === m.senderId);
    if (!sender) throw new Error(`demo message ${m.clientMessageId}: unknown sender ${m.senderId}`);
    const { status } = await client.call(sender, 'POST', `/v1/channels/${channels[channelKey(m.channel)]}/messages`, {
      clientMessageId: m.clientMessageId,
      body: m.body,
    });
    if (status === 201) messagesCreated++;
  }
  return { channels, channelsCreated, messagesCreated };
}

function channelKey(ref: DemoChannelRef): string {
  return 'careTeamOf' in ref ? `care_team:${ref.careTeamOf}` : ref.named;
}

/** A plain amqplib publish of CloudEvents JSON, as the external publishers do; fixed ids make a replay a duplicate. */
async function publishDirectoryEvents(amqpUrl: string): Promise<void> {
  const conn = await amqp.connect(amqpUrl);
  try {
    const ch = await conn.createConfirmChannel();
    for (const user of DEMO_USERS) {
      const type = user.kind === 'team_member' ? 'team-member.created' : 'patient.created';
      const data = user.kind === 'team_member'
        ? { teamMemberId: user.userId, firstName: user.firstName, lastName: user.lastName, email: user.email, ...(user.title ? { title: user.title } : {}) }
        : {
          patientId: user.userId, firstName: user.firstName, lastName: user.lastName, email: user.email,
          ...(user.allocationClinicianId ? { allocationClinicianId: user.allocationClinicianId } : {}),
        };
      const event = { id: `evt_demo_${type}_${user.userId}`, type, source: 'demo-seed', time: new Date().toISOString(), orgId: DEMO_ORGANISATION.id, data };
      ch.publish(EXCHANGE, type, Buffer.from(JSON.stringify(event)), { persistent: true, contentType: 'application/json', messageId: event.id });
    }
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
}

class SeedClient {
  constructor(private readonly opts: DemoSeedOptions) {}

  tokenOf(user: DemoUser): string {
    return mintAccessToken({ userId: user.userId, orgId: DEMO_ORGANISATION.id, kind: user.kind, perms: user.permissions, secret: this.opts.jwtSecret, expiresInSeconds: 600 });
  }

  async call(user: DemoUser, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.opts.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.tokenOf(user)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error(`demo seed: ${method} ${path} as ${user.userId} → ${res.status} ${text.slice(0, 300)}`);
    return { status: res.status, body: parsed };
  }

  /** Until the channels service has consumed the user's directory event (GET /v1/me carries the first name). */
  async waitUntilKnown(user: DemoUser, deadline: number): Promise<void> {
    let last = '';
    while (Date.now() < deadline) {
      try {
        const { body } = await this.call(user, 'GET', '/v1/me');
        if (body?.firstName) return;
        last = 'not introduced yet';
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`demo seed: ${user.userId} unknown to the services after waiting (${last})`);
  }

  /** The manager's channel that `match`es in the list at `listPath`, or a new one. */
  async findOrCreate(what: string, listPath: string, match: (c: { name: string | null }) => boolean, create: Record<string, unknown>): Promise<{ id: string; created: boolean }> {
    const { body } = await this.call(DEMO_MANAGER, 'GET', listPath);
    const found = (body as { id: string; name: string | null }[]).find(match);
    if (found) return { id: found.id, created: false };
    const res = await this.call(DEMO_MANAGER, 'POST', '/v1/channels', create);
    if (!res.body?.id) throw new Error(`demo seed: creating the ${what} channel returned no id`);
    return { id: res.body.id, created: true };
  }
}
