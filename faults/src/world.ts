import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { SMTPServer } from 'smtp-server';
import { tokenFor } from '@wellifiy/testing';
import { call, ClientApp, SendRecord, sendMessage, User } from './clients';
import { sleep } from './infra';

export interface Channel {
  id: string;
  members: User[];
}

/** Digest emails as the SMTP server received them: recipient and the unread count the email states. */
export class DigestInbox {
  readonly emails: { to: string; count: number; at: number }[] = [];
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8').replace(/=\r?\n/g, '');
        const count = Number(/You have (\d+) unread message/.exec(text)?.[1] ?? NaN);
        for (const r of session.envelope.rcptTo) this.emails.push({ to: r.address.toLowerCase(), count, at: Date.now() });
        callback();
      });
    },
  });

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface WorldSize {
  teamMembers: number;
  patients: number;
  /** Pause of each channel's sender between messages. */
  sendIntervalMs: number;
}

/**
 * The organisation under load: team members and patients introduced by directory events, one care-team
 * channel per patient staffed by two team members, a client app per user, one sender loop per channel.
 */
export class World {
  readonly orgId = `org_${randomUUID().slice(0, 8)}`;
  /** The organisation's compliance officer: the checker reads the audit trail as them. */
  readonly auditorToken = tokenFor({ userId: 'tm_fault_auditor', orgId: this.orgId, kind: 'team_member', perms: ['audit:read'] });
  readonly users: User[] = [];
  readonly channels: Channel[] = [];
  readonly clients: ClientApp[] = [];
  readonly sends: SendRecord[] = [];
  readonly inbox = new DigestInbox();
  private running = false;
  private loops: Promise<void>[] = [];
  row = 'setup';

  constructor(
    readonly gatewayUrls: string[],
    private readonly amqpUrl: string,
    private readonly size: WorldSize,
  ) {}

  private async publish(type: string, data: Record<string, unknown>): Promise<void> {
    const conn = await amqp.connect(this.amqpUrl);
    try {
      const ch = await conn.createConfirmChannel();
      const id = `evt_${randomUUID()}`;
      const envelope = { id, type, source: 'fault-suite', time: new Date().toISOString(), orgId: this.orgId, data };
      ch.publish('wellifiy.events', type, Buffer.from(JSON.stringify(envelope)), { persistent: true, contentType: 'application/json', messageId: id });
      await ch.waitForConfirms();
    } finally {
      await conn.close();
    }
  }

  private async until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`setup: ${what} did not happen within ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  async setUp(): Promise<void> {
    const [gw] = this.gatewayUrls;
    const tms: User[] = [];
    for (let i = 0; i < this.size.teamMembers; i++) {
      const userId = `tm_${randomUUID().slice(0, 8)}`;
      await this.publish('team-member.created', { teamMemberId: userId, firstName: 'Tess', lastName: `Member${i}`, email: `${userId}@clinic.example` });
      tms.push({ userId, kind: 'team_member', token: tokenFor({ userId, orgId: this.orgId, kind: 'team_member', perms: ['messaging:manage'] }) });
    }
    const patients: User[] = [];
    for (let i = 0; i < this.size.patients; i++) {
      const userId = `pt_${randomUUID().slice(0, 8)}`;
      const email = `${userId}@patients.example`;
      await this.publish('patient.created', { patientId: userId, firstName: 'Pat', lastName: `Ient${i}`, email });
      patients.push({ userId, kind: 'patient', email, token: tokenFor({ userId, orgId: this.orgId, kind: 'patient' }) });
    }
    this.users.push(...tms, ...patients);
    for (const u of this.users) {
      await this.until(`${u.userId} known`, async () => ((await call(gw, 'GET', '/v1/me', u.token)).status === 200 ? true : undefined));
    }
    for (const [i, p] of patients.entries()) {
      const a = tms[i % tms.length];
      const b = tms[(i + 1) % tms.length];
      const activated = await this.until(`activation for ${p.userId}`, async () => {
        const res = await call<{ id: string }>(gw, 'POST', `/v1/patients/${p.userId}/channels/care_team/activate`, a.token);
        return res.status === 200 || res.status === 201 ? res.body.id : undefined;
      });
      const added = await call(gw, 'POST', `/v1/channels/${activated}/members`, a.token, { userId: b.userId });
      if (added.status >= 300) throw new Error(`setup: adding a member answered ${added.status}`);
      // Digest emails a few seconds after a message stays unread (a digest "minute" is one second here).
      const prefs = await call(gw, 'PUT', '/v1/me/notification-settings', p.token, { emailFrequency: 'after_delay', emailDelayMinutes: 2 });
      if (prefs.status !== 200) throw new Error(`setup: notification settings answered ${prefs.status}`);
      this.channels.push({ id: activated, members: [p, a, b] });
    }
    for (const [i, u] of this.users.entries()) {
      const mine = this.channels.filter((c) => c.members.some((m) => m.userId === u.userId)).map((c) => c.id);
      this.clients.push(new ClientApp(u, this.gatewayUrls, mine, i));
    }
    for (const c of this.clients) c.connect();
    await this.until('every client connected', async () => (this.clients.every((c) => c.connected) ? true : undefined));
  }

  /** One loop per channel: its members take turns sending, each waiting for its ack (or giving up) before the next. */
  startLoad(row: string): void {
    this.row = row;
    if (this.running) return;
    this.running = true;
    this.loops = this.channels.map(async (channel, ci) => {
      let turn = ci;
      await sleep((ci * this.size.sendIntervalMs) / this.channels.length);
      while (this.running) {
        const sender = channel.members[turn++ % channel.members.length];
        this.sends.push(await sendMessage(this.gatewayUrls, sender, channel.id, this.row, 30_000));
        await sleep(this.size.sendIntervalMs);
      }
    });
  }

  /** Stops starting new sends and waits for those in flight (with their retries) to settle. */
  async stopLoad(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** One message through the system: acknowledged, then shown by every member's client app. */
  async probe(row: string, timeoutMs: number): Promise<SendRecord> {
    const channel = this.channels[0];
    const rec = await sendMessage(this.gatewayUrls, channel.members[1], channel.id, row, timeoutMs);
    this.sends.push(rec);
    if (!rec.id) throw new Error(`probe not acknowledged: ${rec.lastError ?? 'no answer'}`);
    const deadline = Date.now() + timeoutMs;
    while (!this.clients.filter((c) => channel.members.includes(c.user)).every((c) => c.has(channel.id, rec.id as string))) {
      if (Date.now() > deadline) throw new Error('probe acknowledged but not shown to every member');
      await sleep(50);
    }
    return rec;
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}
