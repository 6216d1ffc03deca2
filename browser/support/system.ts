import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { createMessagingClient } from '@wellifiy/messaging-client/node';
import { expectEventually, testInfra, tokenFor, type TestUser } from '@wellifiy/testing';

/*
 * The system under test is the one the e2e global setup starts (jest.config.js, project `browser`), on the base
 * port tools/scripts/browser.sh gives it (E2E_BASE_PORT=3900 unless BROWSER_BASE_PORT), so it never meets the e2e tier's;
 * the same variable and default as the e2e global setup, so both always agree.
 */
export const BASE_PORT = Number(process.env.E2E_BASE_PORT ?? 3100);
export const gatewayUrl = `http://127.0.0.1:${BASE_PORT}`;
const amqpUrl = (): string => process.env.E2E_AMQP_URL ?? testInfra.amqpUrl;

export type Actor = TestUser & { token: string; firstName: string; lastName: string };

/** Publishes an inbound event as the patient service and staff directory do: plain amqplib, CloudEvents JSON. */
async function publishInbound(type: string, orgId: string, data: unknown): Promise<void> {
  const id = `evt_${randomUUID()}`;
  const conn = await amqp.connect(amqpUrl());
  try {
    const ch = await conn.createConfirmChannel();
    const content = Buffer.from(JSON.stringify({ id, type, source: 'browser-tests', time: new Date().toISOString(), orgId, data }));
    ch.publish('wellifiy.events', type, content, { persistent: true, contentType: 'application/json', messageId: id });
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
}

/** Resolves once the channels service knows the user (it answers /v1/me with their name). */
async function known(token: string): Promise<void> {
  const client = createMessagingClient({ baseUrl: gatewayUrl, token });
  await expectEventually(async () => {
    const me = await client.rest.me();
    expect(me.firstName).toEqual(expect.any(String));
  });
}

/** A fresh organisation whose users are introduced the way production does it: events from the staff directory and patient service. */
export function newOrg() {
  const orgId = `org_${randomUUID().slice(0, 8)}`;
  return {
    orgId,
    async teamMember(firstName: string, lastName: string, perms: string[] = []): Promise<Actor> {
      const userId = `tm_${randomUUID().slice(0, 8)}`;
      await publishInbound('team-member.created', orgId, { teamMemberId: userId, firstName, lastName, email: `${userId}@clinic.example` });
      const token = tokenFor({ userId, orgId, kind: 'team_member', perms });
      await known(token);
      return { userId, orgId, kind: 'team_member', perms, token, firstName, lastName };
    },
    async patient(firstName: string, lastName: string): Promise<Actor> {
      const userId = `pt_${randomUUID().slice(0, 8)}`;
      await publishInbound('patient.created', orgId, { patientId: userId, firstName, lastName });
      const token = tokenFor({ userId, orgId, kind: 'patient' });
      await known(token);
      return { userId, orgId, kind: 'patient', token, firstName, lastName };
    },
  };
}
