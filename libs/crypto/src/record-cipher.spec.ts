import { KeyRing } from './key-ring';
import { RecordCipher } from './record-cipher';

const ring = KeyRing.parse(`k1:${KeyRing.generateKey()}`, 'k1');
const cipher = new RecordCipher(ring, 'directory-patient');

describe('RecordCipher', () => {
  it('seals the listed fields (no plaintext left), leaves the rest, and opens each back', () => {
    const stored = cipher.sealFields('org_1:pat_1', { firstName: 'Ada', email: 'ada@example.com', allocationClinicianId: 'tm_1', lastName: undefined }, ['firstName', 'lastName', 'email']);

    expect(JSON.stringify(stored)).not.toMatch(/Ada|ada@example/);
    expect(stored.allocationClinicianId).toBe('tm_1');
    expect(stored).toHaveProperty('lastName', undefined);
    expect(cipher.open('org_1:pat_1', 'firstName', stored.firstName as never)).toBe('Ada');
    expect(cipher.open('org_1:pat_1', 'email', stored.email as never)).toBe('ada@example.com');
  });

  it('binds a box to its record and field: copied elsewhere it does not open', () => {
    const box = cipher.seal('org_1:pat_1', 'firstName', 'Ada');
    expect(() => cipher.open('org_1:pat_2', 'firstName', box)).toThrow(/authentication failed/);
    expect(() => cipher.open('org_1:pat_1', 'lastName', box)).toThrow(/authentication failed/);
    expect(() => new RecordCipher(ring, 'recipient').open('org_1:pat_1', 'firstName', box)).toThrow(/authentication failed/);
  });

  it('null stays null; a plain string (stored before sealing) reads as it is', () => {
    expect(cipher.seal('r', 'email', null)).toBeNull();
    expect(cipher.open('r', 'email', null)).toBeNull();
    expect(cipher.open('r', 'email', undefined)).toBeNull();
    expect(cipher.open('r', 'firstName', 'Legacy')).toBe('Legacy');
  });
});
