import { InMemoryPatientKeyStore, isPatientSealedBox, KeyHierarchy, PatientKeyErasedError } from './key-hierarchy';
import { KeyRing, KeyRingError, SealedBox } from './key-ring';

const K1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const K2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;
const PAT = { orgId: 'org_1', patientId: 'pt_1' };
const OTHER = { orgId: 'org_1', patientId: 'pt_2' };

describe('KeyHierarchy (master key → patient key → data key)', () => {
  it('seals a patient\'s content under their own key and opens it again', async () => {
    const store = new InMemoryPatientKeyStore();
    const keys = new KeyHierarchy(KeyRing.parse(K1, 'k1'), store);
    const box = await keys.seal('hello', 'message-body:m1', PAT);
    expect(isPatientSealedBox(box)).toBe(true);
    expect(box).toMatchObject({ v: 2, orgId: 'org_1', patientId: 'pt_1' });
    expect(JSON.stringify(box)).not.toContain('hello');
    expect(await keys.openText(box, 'message-body:m1')).toBe('hello');
    // The patient key itself is stored wrapped by the master key, never in the clear.
    expect(store.keys.size).toBe(1);
    expect([...store.keys.values()][0].wrapped?.keyId).toBe('k1');
  });

  it("many seals for one patient at once read the store once and create one key (no stampede on a cold cache)", async () => {
    const store = new InMemoryPatientKeyStore();
    const finds = jest.spyOn(store, 'find');
    const creates = jest.spyOn(store, 'create');
    const keys = new KeyHierarchy(KeyRing.parse(K1, 'k1'), store);
    const boxes = await Promise.all(Array.from({ length: 20 }, (_, i) => keys.seal(`message ${i}`, `aad:${i}`, PAT)));
    expect(finds).toHaveBeenCalledTimes(1);
    expect(creates).toHaveBeenCalledTimes(1);
    expect(new Set(boxes.map((b) => (isPatientSealedBox(b) ? b.patientKeyId : null))).size).toBe(1);
    // Opens at once share one lookup too (here the cache answers: none reads the store again).
    await expect(Promise.all(boxes.map((b, i) => keys.openText(b, `aad:${i}`)))).resolves.toEqual(boxes.map((_, i) => `message ${i}`));
    expect(finds).toHaveBeenCalledTimes(1);
  });

  it('concurrent opens with no cache share one read; an open of a patient without a key does not stop a seal from creating it', async () => {
    const store = new InMemoryPatientKeyStore();
    const keys = new KeyHierarchy(KeyRing.parse(K1, 'k1'), store, { cacheMs: 0 });
    const box = await keys.seal('hello', 'aad', PAT);
    const finds = jest.spyOn(store, 'find');
    await expect(Promise.all([keys.openText(box, 'aad'), keys.openText(box, 'aad'), keys.openText(box, 'aad')])).resolves.toEqual(['hello', 'hello', 'hello']);
    expect(finds).toHaveBeenCalledTimes(1);
    const foreign = { ...(box as object), patientId: 'pt_2' } as typeof box;
    const [opened, sealed] = await Promise.allSettled([keys.open(foreign, 'aad'), keys.seal('first for pt_2', 'aad2', OTHER)]);
    expect(opened.status).toBe('rejected');
    expect(sealed.status).toBe('fulfilled');
  });

  it('a lookup under way when the patient is erased does not put the destroyed key back in the cache', async () => {
    const store = new InMemoryPatientKeyStore();
    const keys = new KeyHierarchy(KeyRing.parse(K1, 'k1'), store, { cacheMs: 60_000 });
    const box = await keys.seal('before erasure', 'aad', PAT);
    const fresh = new KeyHierarchy(keys.ring, store, { cacheMs: 60_000 });
    const opening = fresh.openText(box, 'aad'); // reads the store before the erasure below
    await fresh.erase(PAT);
    await expect(opening).resolves.toBe('before erasure');
    await expect(fresh.open(box, 'aad')).rejects.toThrow(PatientKeyErasedError);
  });

  it('content of no patient is a version 1 box under the ring, and boxes written before the hierarchy still open', async () => {
    const ring = KeyRing.parse(K1, 'k1');
    const keys = new KeyHierarchy(ring, new InMemoryPatientKeyStore());
    const box = await keys.seal('staff only', 'aad', null);
    expect(isPatientSealedBox(box)).toBe(false);
    expect(await keys.openText(box, 'aad')).toBe('staff only');
    expect(await keys.openText(ring.encrypt('old scheme', 'x'), 'x')).toBe('old scheme');
  });

  it('each patient has a different key: a box relabelled to another patient does not open', async () => {
    const keys = new KeyHierarchy(KeyRing.parse(K1, 'k1'), new InMemoryPatientKeyStore(), { cacheMs: 0 });
    const box = await keys.seal('mine', 'aad', PAT);
    await keys.seal('theirs', 'aad', OTHER);
    await expect(keys.open({ ...box, patientId: 'pt_2' }, 'aad')).rejects.toThrow(KeyRingError);
    await expect(keys.open(box, 'another-record')).rejects.toThrow(/authentication failed/);
  });

  it('erasure (crypto-shredding) makes open() fail with PatientKeyErasedError, also for copies of the stored box', async () => {
    const store = new InMemoryPatientKeyStore();
    const keys = new KeyHierarchy(KeyRing.parse(K1, 'k1'), store);
    const box = await keys.seal('to be forgotten', 'aad', PAT);
    const backupCopy = JSON.parse(JSON.stringify(box)) as typeof box;
    const kept = await keys.seal('someone else', 'aad', OTHER);
    expect(await keys.erase(PAT)).toBe(true);
    await expect(keys.open(box, 'aad')).rejects.toThrow(PatientKeyErasedError);
    await expect(keys.open(backupCopy, 'aad')).rejects.toThrow('the patient key of pt_1 was erased: content sealed under it can no longer be opened');
    expect(await keys.openText(kept, 'aad')).toBe('someone else');
    // A second erasure finds nothing to destroy; the stored entry keeps only ids and times.
    expect(await keys.erase(PAT)).toBe(false);
    expect(await store.find(PAT)).toMatchObject({ keyId: null, wrapped: null, erasedAt: expect.any(Date) });
  });

  it('content sealed after an erasure gets a new key generation; the old content stays unreadable', async () => {
    const keys = new KeyHierarchy(KeyRing.parse(K1, 'k1'), new InMemoryPatientKeyStore());
    const before = await keys.seal('old', 'aad', PAT);
    await keys.erase(PAT);
    const after = await keys.seal('new', 'aad', PAT);
    expect(isPatientSealedBox(after) && isPatientSealedBox(before) && after.patientKeyId !== before.patientKeyId).toBe(true);
    expect(await keys.openText(after, 'aad')).toBe('new');
    await expect(keys.open(before, 'aad')).rejects.toThrow(PatientKeyErasedError);
  });

  it('an erasure on another replica is seen once the short key cache expires', async () => {
    const store = new InMemoryPatientKeyStore();
    const replicaA = new KeyHierarchy(KeyRing.parse(K1, 'k1'), store, { cacheMs: 0 });
    const replicaB = new KeyHierarchy(KeyRing.parse(K1, 'k1'), store, { cacheMs: 0 });
    const box = await replicaA.seal('x', 'aad', PAT);
    expect(await replicaA.openText(box, 'aad')).toBe('x');
    await replicaB.erase(PAT);
    await expect(replicaA.open(box, 'aad')).rejects.toThrow(PatientKeyErasedError);
  });

  it('forget() (the patient.erased event from another replica) drops a cached key at once, long before the cache expires', async () => {
    const store = new InMemoryPatientKeyStore();
    const replicaA = new KeyHierarchy(KeyRing.parse(K1, 'k1'), store, { cacheMs: 60_000 });
    const replicaB = new KeyHierarchy(KeyRing.parse(K1, 'k1'), store, { cacheMs: 60_000 });
    const box = await replicaA.seal('x', 'aad', PAT);
    const other = await replicaA.seal('y', 'aad', OTHER);
    expect(await replicaA.openText(box, 'aad')).toBe('x');
    await replicaB.erase(PAT);
    // Still cached in A: this is the window the event closes.
    expect(await replicaA.openText(box, 'aad')).toBe('x');
    replicaA.forget(PAT);
    await expect(replicaA.open(box, 'aad')).rejects.toThrow(PatientKeyErasedError);
    expect(await replicaA.openText(other, 'aad')).toBe('y');
  });

  it('master key rotation needs no re-encryption of content: old records open with the new ring, and rewrap moves patient keys to the new master key', async () => {
    const store = new InMemoryPatientKeyStore();
    const before = new KeyHierarchy(KeyRing.parse(K1, 'k1'), store);
    const box = await before.seal('kept across rotation', 'aad', PAT);
    const v1 = await before.seal('staff', 'aad', null);

    const rotated = new KeyHierarchy(KeyRing.parse(`${K1},${K2}`, 'k2'), store, { cacheMs: 0 });
    expect(await rotated.openText(box, 'aad')).toBe('kept across rotation');
    expect(await rotated.rewrap()).toBe(1);
    expect((await store.find(PAT))?.wrapped?.keyId).toBe('k2');
    expect(await rotated.rewrap()).toBe(0);

    // k1 can now leave the ring: the same record box (never rewritten) opens with k2 alone.
    const k2Only = new KeyHierarchy(KeyRing.parse(K2, 'k2'), store, { cacheMs: 0 });
    expect(await k2Only.openText(box, 'aad')).toBe('kept across rotation');
    // Version 1 boxes still name the master key that wrapped them, as before.
    expect((v1 as SealedBox).keyId).toBe('k1');
  });
});
