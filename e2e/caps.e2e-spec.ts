import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { REACTIONS_PER_MESSAGE_MAX } from '@wellifiy/contracts';
import { expectEventually, tokenFor } from '@wellifiy/testing';
import { E2E_CHANNEL_MEMBERS_MAX as CHANNEL_MEMBERS_MAX } from './support/channels-env';
import { api, newOrg } from './support/client';
import { e2eAmqpUrl } from './support/system';

/** Introduces `ids` as team members the way the staff directory does, on one connection (hundreds at once). */
async function introduceTeamMembers(orgId: string, ids: string[]): Promise<void> {
  const conn = await amqp.connect(e2eAmqpUrl());
  try {
    const ch = await conn.createConfirmChannel();
    for (const id of ids) {
      const eventId = `evt_${randomUUID()}`;
      const body = { id: eventId, type: 'team-member.created', source: 'staff-directory', time: new Date().toISOString(), orgId, data: { teamMemberId: id, firstName: 'Tess', lastName: id } };
      ch.publish('wellifiy.events', 'team-member.created', Buffer.from(JSON.stringify(body)), { persistent: true, contentType: 'application/json', messageId: eventId });
    }
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
}

describe('issue 7: caps on reactions and members', () => {
  const org = newOrg();

  it(`a message carries at most ${REACTIONS_PER_MESSAGE_MAX} distinct reactions: one more gets 409 naming the cap; joining one still works`, async () => {
    const tm = await org.teamMember();
    const patient = await org.patient();
    const channelId = (await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token })).body.id;
    const msg = (await api('POST', `/v1/channels/${channelId}/messages`, { token: tm.token, body: { clientMessageId: 'cap-1', body: 'react to me' } })).body;
    const reaction = (path: string, token: string, method = 'PUT') => api(method, `/v1/channels/${channelId}/messages/${msg.id}/reactions/${encodeURIComponent(path)}`, { token });
    const emojis = Array.from({ length: REACTIONS_PER_MESSAGE_MAX + 1 }, (_, i) => String.fromCodePoint(0x1f600 + i));

    for (const emoji of emojis.slice(0, REACTIONS_PER_MESSAGE_MAX)) expect((await reaction(emoji, tm.token)).status).toBe(200);
    const over = await reaction(emojis[REACTIONS_PER_MESSAGE_MAX], patient.token);

    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ statusCode: 409, error: 'Conflict', code: 'REACTION_LIMIT_REACHED' });
    expect(over.body.message).toContain(`at most ${REACTIONS_PER_MESSAGE_MAX} distinct reactions`);
    const joined = await reaction(emojis[0], patient.token);
    expect(joined.status).toBe(200);
    expect(joined.body.reactions).toHaveLength(REACTIONS_PER_MESSAGE_MAX);
    expect(joined.body.reactions[0]).toEqual({ emoji: emojis[0], count: 2, me: true });
    // Once one is gone, a new distinct reaction fits again.
    expect((await reaction(emojis[1], tm.token, 'DELETE')).status).toBe(200);
    expect((await reaction(emojis[REACTIONS_PER_MESSAGE_MAX], patient.token)).status).toBe(200);
  });

  it(`a channel has at most ${CHANNEL_MEMBERS_MAX} members: over the cap at creation gets 400, adding to a full channel 409, both naming the cap`, async () => {
    const manager = await org.teamMember(undefined, ['messaging:manage']);
    const patient = await org.patient();
    // The e2e system's cap (CHANNEL_MEMBERS_MAX, see support/channels-env.ts); the product's default is 1,000.
    const staff = Array.from({ length: CHANNEL_MEMBERS_MAX }, (_, i) => `tm_cap_${i}`);
    await introduceTeamMembers(org.orgId, staff);
    await expectEventually(async () => {
      const me = await api('GET', '/v1/me', { token: tokenFor({ userId: staff[staff.length - 1], orgId: org.orgId, kind: 'team_member' }) });
      expect(me.body.firstName).toEqual(expect.any(String));
    }, { timeoutMs: 60_000 });

    // The creator, the patient and 999 others: one too many.
    const tooMany = await api('POST', '/v1/channels', { token: manager.token, body: { type: 'group', name: 'Everyone', memberIds: [patient.userId, ...staff.slice(0, CHANNEL_MEMBERS_MAX - 1)] } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toContain(`memberIds: at most ${CHANNEL_MEMBERS_MAX} members, the creator included`);

    const full = await api('POST', '/v1/channels', { token: manager.token, body: { type: 'group', name: 'Everyone', memberIds: [patient.userId, ...staff.slice(0, CHANNEL_MEMBERS_MAX - 2)] } });
    expect(full.status).toBe(201);
    expect(full.body.members).toHaveLength(CHANNEL_MEMBERS_MAX);

    const over = await api('POST', `/v1/channels/${full.body.id}/members`, { token: manager.token, body: { userId: staff[CHANNEL_MEMBERS_MAX - 1] } });
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ statusCode: 409, code: 'CHANNEL_MEMBER_LIMIT_REACHED' });
    expect(over.body.message).toContain(`at most ${CHANNEL_MEMBERS_MAX} members`);

    // Room again after one leaves.
    expect((await api('DELETE', `/v1/channels/${full.body.id}/members/${staff[0]}`, { token: manager.token })).status).toBe(200);
    expect((await api('POST', `/v1/channels/${full.body.id}/members`, { token: manager.token, body: { userId: staff[CHANNEL_MEMBERS_MAX - 1] } })).status).toBe(200);
  }, 120_000);
});
