import { api, newOrg } from './support/client';
import { SecondGateway, startSecondGateway } from './support/second-gateway';

const BURST = 60;

/**
 * Load shedding (data-path issue, item 3): a gateway with as many requests outstanding at a service as
 * RPC_MAX_IN_FLIGHT allows refuses the next one at once — 503 OVERLOADED with a retry hint in seconds and in
 * milliseconds — instead of queueing it towards the RPC timeout; a refused send is not stored, an accepted one is.
 */
describe('load shedding at the gateway', () => {
  const org = newOrg();
  let second: SecondGateway;

  beforeAll(async () => {
    second = await startSecondGateway(2, { RPC_MAX_IN_FLIGHT: '1' });
  });

  afterAll(async () => {
    await second?.stop();
  });

  it('refuses sends past the in-flight limit with 503 OVERLOADED and Retry-After(-Ms), stores exactly the accepted ones, and serves again afterwards', async () => {
    const tm = await org.teamMember();
    const patient = await org.patient();
    const care = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
    expect(care.status).toBe(200);
    const channelId = care.body.id as string;

    const answers = await Promise.all(
      Array.from({ length: BURST }, async (_, i) => {
        const res = await fetch(`${second.url}/v1/channels/${channelId}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tm.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ clientMessageId: `burst-${i}`, body: `burst message ${i}` }),
        });
        return { i, status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
      }),
    );
    const accepted = answers.filter((a) => a.status === 201 || a.status === 200);
    const refused = answers.filter((a) => a.status === 503);
    expect(accepted.length + refused.length).toBe(BURST);
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.body).toMatchObject({ statusCode: 503, code: 'OVERLOADED', message: expect.stringContaining('messages service is at capacity') });
      const ms = Number(r.headers.get('retry-after-ms'));
      expect(Number.isInteger(ms) && ms >= 50 && ms <= 5000).toBe(true);
      expect(Number(r.headers.get('retry-after'))).toBe(Math.max(1, Math.ceil(ms / 1000)));
    }

    // Nothing refused was stored, nothing accepted was lost.
    const page = await api('GET', `/v1/channels/${channelId}/messages?limit=100`, { token: tm.token });
    expect(page.status).toBe(200);
    const stored = (page.body.messages as Array<{ clientMessageId?: string; body: string }>).map((m) => m.body).sort();
    expect(stored).toEqual(accepted.map((a) => `burst message ${a.i}`).sort());

    // A refused send retried under the same clientMessageId once the burst is over goes through once.
    const retry = refused[0];
    const again = await fetch(`${second.url}/v1/channels/${channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tm.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ clientMessageId: `burst-${retry.i}`, body: `burst message ${retry.i}` }),
    });
    expect([200, 201]).toContain(again.status);
  });
});
