import { InMemoryPatientKeyStore, isPatientSealedBox, KeyHierarchy, KeyRing, PatientKeyErasedError } from '@wellifiy/crypto';
import { LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS } from '@wellifiy/testing';
import { MediaCipher } from './media-cipher';

const RING = KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID);
const PAT = { orgId: 'org_1', patientId: 'pat_1' };

describe('MediaCipher (a content key per file, sealed under the patient key)', () => {
  const make = () => {
    const keys = new KeyHierarchy(RING, new InMemoryPatientKeyStore(), { cacheMs: 0 });
    return { keys, cipher: new MediaCipher(RING, keys) };
  };

  it('chunks sealed by the file key open with it, bound to media, variant and index', async () => {
    const { cipher } = make();
    const { key, stored } = await cipher.newFileKey('med_1', PAT);
    expect(isPatientSealedBox(stored) && stored.patientId).toBe('pat_1');
    const chunk = cipher.seal(key, Buffer.from('bytes'), 'med_1:original:0');
    expect(chunk.keyId).toBeUndefined();
    const opened = await cipher.openFileKey('med_1', stored);
    expect(cipher.open(chunk, 'med_1:original:0', opened).toString()).toBe('bytes');
    expect(() => cipher.open(chunk, 'med_1:original:1', opened)).toThrow();
    await expect(cipher.openFileKey('med_2', stored)).rejects.toThrow();
  });

  it('chunks stored before file keys (a master-ring envelope each) still open', () => {
    const { cipher } = make();
    const box = RING.encrypt(Buffer.from('old bytes'), 'media:med_0:original:0');
    const legacy = { keyId: box.keyId, iv: box.iv, tag: box.tag, wrappedKey: box.wrappedKey, data: Buffer.from(box.ciphertext, 'base64') };
    expect(cipher.open(legacy, 'med_0:original:0', null).toString()).toBe('old bytes');
  });

  it('a staff file key resealed for a patient opens the same chunks, and no longer once the patient is erased', async () => {
    const { cipher, keys } = make();
    const { key, stored } = await cipher.newFileKey('med_3', null);
    expect(isPatientSealedBox(stored)).toBe(false);
    const chunk = cipher.seal(key, Buffer.from('scan'), 'med_3:original:0');
    const resealed = await cipher.resealFileKey('med_3', stored, PAT);
    expect(cipher.open(chunk, 'med_3:original:0', await cipher.openFileKey('med_3', resealed)).toString()).toBe('scan');
    await keys.erase(PAT);
    await expect(cipher.openFileKey('med_3', resealed)).rejects.toThrow(PatientKeyErasedError);
  });
});
