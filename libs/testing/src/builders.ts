import { randomUUID } from 'node:crypto';

/** A CloudEvents-style envelope as the patient service would publish it (plain JSON, not Nest). */
export interface TestEnvelope {
  id: string;
  type: string;
  source: string;
  time: string;
  orgId: string;
  data: Record<string, unknown>;
  correlationId?: string;
}

export function anEnvelope(type: string, data: Record<string, unknown> = {}, overrides: Partial<TestEnvelope> = {}): TestEnvelope {
  return {
    id: `evt_${randomUUID()}`,
    type,
    source: 'integration-test',
    time: new Date().toISOString(),
    orgId: 'org_it',
    data,
    ...overrides,
  };
}

export function aPatientCreated(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { patientId: `pat_${randomUUID().slice(0, 8)}`, firstName: 'Ada', lastName: 'Lovelace', ...overrides };
}

/** A routing key / event type no service binds: safe to publish on `wellifiy.events`. */
export function uniqueRoutingKey(): string {
  return `it.${randomUUID()}`;
}
