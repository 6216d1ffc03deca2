import { randomUUID } from 'node:crypto';
import { expectEventually, tokenFor } from '@wellifiy/testing';
import { api, publishInbound } from './support/client';
import { tapDeadLetters } from './support/dead-letters';

/**
 * Inbound events as the patient service publishes them (plain amqplib). Malformed ones land in the
 * dead-letter queue with a reason; the consumers keep going.
 */
describe('inbound events from non-Nest publishers', () => {
  const deadLetters = tapDeadLetters();

  it('a body that is not JSON is dead-lettered with the reason, by every consuming service', async () => {
    const id = `evt_${randomUUID()}`;
    await publishInbound('patient.created', 'org_x', null, { id, raw: Buffer.from('{"id": "broken') });
    await expectEventually(() => {
      const reasons = deadLetters.reasons(id);
      expect(reasons['wellifiy.channels.events']).toBe('body is not valid JSON');
      expect(reasons['wellifiy.notifications.events']).toBe('body is not valid JSON');
    });
  });

  it('a patient.created without firstName is dead-lettered naming the field, and the next valid one is processed', async () => {
    const orgId = `org_${randomUUID().slice(0, 8)}`;
    const badId = await publishInbound('patient.created', orgId, { patientId: 'pt_bad', lastName: 'X' });
    const goodId = await publishInbound('patient.created', orgId, { patientId: 'pt_good', firstName: 'Gina', lastName: 'Good' });
    await expectEventually(() => expect(deadLetters.reasons(badId)['wellifiy.channels.events']).toContain('data.firstName'));
    await expectEventually(async () => {
      const me = await api('GET', '/v1/me', { token: tokenFor({ userId: 'pt_good', orgId, kind: 'patient' }) });
      expect(me.body.firstName).toBe('Gina');
    });
    expect(deadLetters.reasons(goodId)).toEqual({});
  });

  it('an envelope without orgId is dead-lettered', async () => {
    const id = `evt_${randomUUID()}`;
    await publishInbound('team-member.created', '', { teamMemberId: 'tm_1', firstName: 'A', lastName: 'B' }, { id });
    await expectEventually(() => expect(deadLetters.reasons(id)['wellifiy.channels.events']).toContain('orgId'));
  });

  it('a duplicate patient.created (same event id) changes nothing and a later update applies', async () => {
    const orgId = `org_${randomUUID().slice(0, 8)}`;
    const token = tokenFor({ userId: 'pt_dup', orgId, kind: 'patient' });
    const id = await publishInbound('patient.created', orgId, { patientId: 'pt_dup', firstName: 'First', lastName: 'L' });
    await expectEventually(async () => expect((await api('GET', '/v1/me', { token })).body.firstName).toBe('First'));
    await publishInbound('patient.updated', orgId, { patientId: 'pt_dup', firstName: 'Renamed' });
    await expectEventually(async () => expect((await api('GET', '/v1/me', { token })).body.firstName).toBe('Renamed'));
    // The replay (same id, and a new id for the same patient) must not bring the old name back.
    await publishInbound('patient.created', orgId, { patientId: 'pt_dup', firstName: 'First', lastName: 'L' }, { id });
    await publishInbound('patient.created', orgId, { patientId: 'pt_dup', firstName: 'First', lastName: 'L' });
    const marker = await publishInbound('patient.created', orgId, { patientId: 'pt_marker', firstName: 'M', lastName: 'K' });
    await expectEventually(async () =>
      expect((await api('GET', '/v1/me', { token: tokenFor({ userId: 'pt_marker', orgId, kind: 'patient' }) })).body.firstName).toBe('M'),
    );
    expect((await api('GET', '/v1/me', { token })).body.firstName).toBe('Renamed');
    expect(deadLetters.reasons(marker)).toEqual({});
  });
});
