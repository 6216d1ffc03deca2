import 'reflect-metadata';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { Actor, DomainError, ErrorCode, MediaVariant } from '@wellifiy/contracts';
import { InMemoryPatientKeyStore, KeyHierarchy, KeyRing, StoredBox } from '@wellifiy/crypto';
import { LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS, patternByte, patientActor, sampleIsoMedia, teamMemberActor, TINY_PNG } from '@wellifiy/testing';
import { MessagesConfig } from '../config/messages.config';
import { MediaCleanupScheduler } from '../jobs/media-cleanup.job';
import { MembershipService } from '../membership/membership.service';
import { MediaCipher, SealedChunk } from './media-cipher';
import { parseRange } from './media-range';
import { CompletedUpload, MediaFile, MediaGrant, MediaRead, MediaRepository, MediaTicket, StoredChunk } from './media.repository';
import { MEDIA_CHUNK_SIZE, MediaService } from './media.service';

const RING = KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID);
const patientKeys = new InMemoryPatientKeyStore();

/** MediaRepository faked at its interface. */
class FakeMediaRepository extends MediaRepository {
  files = new Map<string, MediaFile>();
  chunkStore = new Map<string, SealedChunk>();
  grants: MediaGrant[] = [];
  reads: MediaRead[] = [];
  tickets = new Map<string, MediaTicket>();

  async begin(file: MediaFile): Promise<void> {
    this.files.set(file._id, { ...file, pending: true });
  }
  async addChunks(_orgId: string, mediaId: string, chunks: StoredChunk[]): Promise<void> {
    for (const c of chunks) this.chunkStore.set(`${mediaId}:${c.variant}:${c.n}`, c.sealed);
  }
  async complete(orgId: string, mediaId: string, done: CompletedUpload): Promise<void> {
    const f = this.files.get(mediaId);
    if (f && f.orgId === orgId) this.files.set(mediaId, { ...f, ...done, bytes: done.original.size + (done.thumbnail?.size ?? 0), pending: false });
  }
  async discard(orgId: string, mediaId: string): Promise<void> {
    for (const k of [...this.chunkStore.keys()]) if (k.startsWith(`${mediaId}:`)) this.chunkStore.delete(k);
    if (this.files.get(mediaId)?.orgId === orgId) this.files.delete(mediaId);
  }
  async storedBytes(orgId: string, userId: string): Promise<number> {
    return [...this.files.values()].filter((f) => f.orgId === orgId && f.uploaderId === userId).reduce((sum, f) => sum + (f.bytes ?? 0), 0);
  }
  async markAttached(orgId: string, userId: string, ids: string[]): Promise<number> {
    let n = 0;
    for (const id of new Set(ids)) {
      const f = this.files.get(id);
      if (!f || f.orgId !== orgId || f.uploaderId !== userId || f.pending) continue;
      f.attached = true;
      n++;
    }
    return n;
  }
  async setAvatar(orgId: string, userId: string, mediaId: string | null): Promise<void> {
    for (const f of this.files.values()) {
      if (f.orgId !== orgId || f.uploaderId !== userId) continue;
      if (f._id === mediaId) Object.assign(f, { avatarOf: userId, attached: true });
      else if (f.avatarOf === userId) f.avatarOf = null;
    }
  }
  async deleteForRetention(orgId: string, mediaId: string): Promise<void> {
    const f = this.files.get(mediaId);
    if (f && f.orgId === orgId && !f.avatarOf) await this.discard(orgId, mediaId);
  }
  async deleteIfUnattached(orgId: string, mediaId: string): Promise<boolean> {
    const f = this.files.get(mediaId);
    if (!f || f.orgId !== orgId || f.attached !== false) return false;
    await this.discard(orgId, mediaId);
    return true;
  }
  async find(orgId: string, id: string): Promise<MediaFile | null> {
    const f = this.files.get(id);
    return f && f.orgId === orgId && !f.pending ? f : null;
  }
  async chunks(orgId: string, id: string, variant: MediaVariant, from: number, to: number): Promise<SealedChunk[]> {
    const out: SealedChunk[] = [];
    for (let n = from; n <= to; n++) {
      const c = this.chunkStore.get(`${id}:${variant}:${n}`);
      if (c && this.files.get(id)?.orgId === orgId) out.push(c);
    }
    return out;
  }
  async sealFor(orgId: string, mediaId: string, patientId: string, key: StoredBox): Promise<void> {
    const f = this.files.get(mediaId);
    if (f && f.orgId === orgId && !f.sealedFor) Object.assign(f, { key, sealedFor: patientId });
  }
  async grant(g: MediaGrant): Promise<void> {
    if (!this.grants.some((x) => x.mediaId === g.mediaId && x.channelId === g.channelId)) this.grants.push(g);
  }
  async grantedChannels(orgId: string, id: string): Promise<string[]> {
    return this.grants.filter((g) => g.orgId === orgId && g.mediaId === id).map((g) => g.channelId);
  }
  async audit(r: MediaRead): Promise<void> {
    this.reads.push(r);
  }
  async readsOf(orgId: string, id: string): Promise<MediaRead[]> {
    return this.reads.filter((r) => r.orgId === orgId && r.mediaId === id);
  }
  async saveTicket(t: MediaTicket): Promise<void> {
    this.tickets.set(t._id, t);
  }
  async findTicket(orgId: string, id: string, now: Date): Promise<MediaTicket | null> {
    const t = this.tickets.get(id);
    return t && t.orgId === orgId && t.expiresAt > now ? t : null;
  }
  async pruneTickets(orgId: string, now: Date): Promise<number> {
    let n = 0;
    for (const [id, t] of this.tickets) if (t.orgId === orgId && t.expiresAt <= now && this.tickets.delete(id)) n++;
    return n;
  }
}

const uploader = teamMemberActor({ userId: 'tm_up' });
const member = patientActor({ userId: 'pat_member' });
const outsider = teamMemberActor({ userId: 'tm_outsider' });
const otherOrg = teamMemberActor({ userId: 'tm_up', orgId: 'org_other' });

async function readAll(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of body) parts.push(p);
  return Buffer.concat(parts);
}

describe('MediaService', () => {
  let repo: FakeMediaRepository;
  let service: MediaService;
  let scheduled: { orgId: string; mediaId: string; delayMs: number }[];
  const channelMembers: Record<string, string[]> = { ch_1: ['tm_up', 'pat_member'], ch_group: ['tm_up', 'pat_member', 'pat_peer'] };
  const baseConfig = { MEDIA_MAX_IMAGE_BYTES: 50_000, MEDIA_MAX_VIDEO_BYTES: 700_000 };
  const makeService = (overrides: Partial<MessagesConfig> = {}): MediaService => {
    const membership = {
      requireMember: async (actor: Actor, channelId: string) => {
        if (!channelMembers[channelId]?.includes(actor.userId)) throw new DomainError(ErrorCode.NotFound, 'channel not found');
        return { id: channelId };
      },
      maySeeProfileOf: async (actor: Actor, userId: string) =>
        actor.orgId === 'org_1' && (actor.userId === userId || Object.values(channelMembers).some((m) => m.includes(actor.userId) && m.includes(userId))),
    } as unknown as MembershipService;
    const cleanup = { schedule: async (data: { orgId: string; mediaId: string }, delayMs: number) => void scheduled.push({ ...data, delayMs }) };
    const config = Object.assign(new MessagesConfig(), baseConfig, overrides);
    return new MediaService(
      repo, new MediaCipher(RING, new KeyHierarchy(RING, patientKeys)), membership, cleanup as unknown as MediaCleanupScheduler, config,
    );
  };

  beforeEach(() => {
    repo = new FakeMediaRepository();
    scheduled = [];
    service = makeService();
  });

  const upload = async (actor: Actor, bytes: Buffer): Promise<string> => {
    const { ticket } = await service.uploadTicket(actor);
    return (await service.upload(actor.orgId, ticket, bytes)).id;
  };
  const download = async (actor: Actor, id: string, variant: MediaVariant = 'original', range?: string): Promise<{ bytes: Buffer; size: number; contentType: string }> => {
    const { ticket } = await service.readTicket(actor, id, variant);
    const content = await service.content(actor.orgId, ticket, (size) => parseRange(range, size));
    if ('unsatisfiable' in content) throw new Error('unsatisfiable');
    return { bytes: await readAll(content.body), size: content.size, contentType: content.contentType };
  };

  describe('upload', () => {
    it('a text file named .png is refused with UNSUPPORTED_MEDIA_TYPE (→ 415): the type comes from the bytes', async () => {
      const { ticket } = await service.uploadTicket(uploader);
      await expect(service.upload(uploader.orgId, ticket, Buffer.from('I am text in a file called photo.png'))).rejects.toMatchObject({ code: ErrorCode.UnsupportedMediaType });
      expect(repo.files.size).toBe(0);
    });

    it('an image above MEDIA_MAX_IMAGE_BYTES is refused with PAYLOAD_TOO_LARGE (→ 413); a video of that size is not', async () => {
      const bigImage = Buffer.concat([TINY_PNG, Buffer.alloc(60_000)]);
      const { ticket } = await service.uploadTicket(uploader);
      await expect(service.upload(uploader.orgId, ticket, bigImage)).rejects.toMatchObject({ code: ErrorCode.PayloadTooLarge });
      await expect(upload(uploader, sampleIsoMedia(60_000))).resolves.toEqual(expect.any(String));
    });

    it('a video above MEDIA_MAX_VIDEO_BYTES is refused with PAYLOAD_TOO_LARGE', async () => {
      const { ticket } = await service.uploadTicket(uploader);
      await expect(service.upload(uploader.orgId, ticket, sampleIsoMedia(700_001))).rejects.toMatchObject({ code: ErrorCode.PayloadTooLarge });
    });

    it('needs a valid upload ticket of the same organisation', async () => {
      await expect(service.upload(uploader.orgId, 'no-such-ticket', TINY_PNG)).rejects.toMatchObject({ code: ErrorCode.NotFound });
      const { ticket } = await service.uploadTicket(uploader);
      await expect(service.upload('org_other', ticket, TINY_PNG)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });

    it('strips EXIF/GPS metadata from photos and makes a WebP thumbnail', async () => {
      const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } })
        .jpeg()
        .withExif({ IFD0: { Copyright: 'secret-owner', ImageDescription: 'home address' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
        .toBuffer();
      expect((await sharp(photo).metadata()).exif).toBeDefined(); // the test photo really carries EXIF
      const id = await upload(uploader, photo);

      const original = await download(uploader, id);
      expect(original.contentType).toBe('image/jpeg');
      const meta = await sharp(original.bytes).metadata();
      expect(meta.exif).toBeUndefined();
      expect(original.bytes.includes(Buffer.from('secret-owner'))).toBe(false);
      expect([meta.width, meta.height]).toEqual([40, 30]);

      const thumb = await download(uploader, id, 'thumbnail');
      expect(thumb.contentType).toBe('image/webp');
      expect((await sharp(thumb.bytes).metadata()).format).toBe('webp');
    });

    it('videos are stored as uploaded, without a thumbnail', async () => {
      const video = sampleIsoMedia(1000);
      const id = await upload(uploader, video);
      expect((await download(uploader, id)).bytes.equals(video)).toBe(true);
      await expect(service.readTicket(uploader, id, 'thumbnail')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });

    it('stores only ciphertext: no chunk contains the plaintext', async () => {
      const video = sampleIsoMedia(MEDIA_CHUNK_SIZE + 5000);
      const id = await upload(uploader, video);
      const chunks = [...repo.chunkStore.entries()].filter(([k]) => k.startsWith(id));
      expect(chunks).toHaveLength(2);
      const probe = video.subarray(100, 164);
      for (const [, c] of chunks) expect(c.data.includes(probe)).toBe(false);
    });
  });

  describe('ranges', () => {
    it('returns exactly the requested bytes, across a chunk boundary, decrypting only what is needed', async () => {
      const video = sampleIsoMedia(MEDIA_CHUNK_SIZE * 2 + 100);
      const id = await upload(uploader, video);
      const start = MEDIA_CHUNK_SIZE - 10;
      const { bytes, size } = await download(uploader, id, 'original', `bytes=${start}-${start + 19}`);
      expect(size).toBe(video.length);
      expect(bytes.equals(video.subarray(start, start + 20))).toBe(true);
      const tail = await download(uploader, id, 'original', 'bytes=-7');
      expect(tail.bytes.equals(video.subarray(video.length - 7))).toBe(true);
      // the payload pattern, so a shifted slice cannot pass
      expect(video[video.length - 1]).toBe(patternByte(video.length - 1 - 32));
    });
  });

  describe('who may read (404 for everyone else)', () => {
    let id: string;
    beforeEach(async () => {
      id = await upload(uploader, TINY_PNG);
    });

    it('the uploader may read it before it is posted anywhere; nobody else may', async () => {
      await expect(service.readTicket(uploader, id, 'original')).resolves.toEqual(expect.objectContaining({ ticket: expect.any(String) }));
      await expect(service.readTicket(member, id, 'original')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });

    it('once posted in a channel its members may read it; non-members and other organisations may not', async () => {
      await service.grantToChannel(uploader.orgId, 'ch_1', [id]);
      await expect(service.readTicket(member, id, 'original')).resolves.toEqual(expect.objectContaining({ ticket: expect.any(String) }));
      await expect(service.readTicket(outsider, id, 'original')).rejects.toMatchObject({ code: ErrorCode.NotFound });
      await expect(service.readTicket(otherOrg, id, 'original')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });

    it('a read ticket is for one media and variant; an upload ticket does not read', async () => {
      const { ticket: uploadTicket } = await service.uploadTicket(uploader);
      await expect(service.content(uploader.orgId, uploadTicket, () => undefined)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });

    it('every read is audited: who, which media, which variant, when', async () => {
      await service.grantToChannel(uploader.orgId, 'ch_1', [id]);
      await service.readTicket(member, id, 'thumbnail');
      await service.readTicket(uploader, id, 'original');
      await expect(service.readTicket(outsider, id, 'original')).rejects.toBeInstanceOf(DomainError);
      expect(await repo.readsOf(uploader.orgId, id)).toEqual([
        { orgId: 'org_1', mediaId: id, variant: 'thumbnail', readerId: 'pat_member', readerKind: 'patient', at: expect.any(Date) },
        { orgId: 'org_1', mediaId: id, variant: 'original', readerId: 'tm_up', readerKind: 'team_member', at: expect.any(Date) },
      ]);
    });
  });

  describe('attachments on send', () => {
    it('accepts your own uploads only: missing, foreign or other-organisation media → NOT_FOUND', async () => {
      const mine = await upload(uploader, TINY_PNG);
      const theirs = await upload(member, TINY_PNG);
      await expect(service.requireOwnMedia(uploader, [mine])).resolves.toBeUndefined();
      await expect(service.requireOwnMedia(uploader, [mine, theirs])).rejects.toMatchObject({ code: ErrorCode.NotFound });
      await expect(service.requireOwnMedia(uploader, ['med_missing'])).rejects.toMatchObject({ code: ErrorCode.NotFound });
      await expect(service.requireOwnMedia(otherOrg, [mine])).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });
  });

  /*
   * Item 9 (avatars are unreadable by the people who see them): an avatar is readable by whoever may see its
   * owner's profile — the owner and anyone sharing a channel with them — and by nobody else.
   */
  describe('item 9: avatars', () => {
    const peer = patientActor({ userId: 'pat_peer' });

    it("a patient's avatar is readable by a co-member of a group, still 404 for users sharing no channel and other organisations", async () => {
      const avatar = await upload(member, TINY_PNG);
      await expect(service.setAvatar(member, avatar)).resolves.toEqual({ avatarMediaId: avatar });
      await expect(service.readTicket(peer, avatar, 'thumbnail')).resolves.toEqual(expect.objectContaining({ ticket: expect.any(String) }));
      await expect(service.readTicket(uploader, avatar, 'original')).resolves.toEqual(expect.objectContaining({ ticket: expect.any(String) }));
      await expect(service.readTicket(outsider, avatar, 'original')).rejects.toMatchObject({ code: ErrorCode.NotFound });
      await expect(service.readTicket(patientActor({ userId: 'pat_peer', orgId: 'org_other' }), avatar, 'original')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });

    it('a replaced avatar stops being readable through the profile', async () => {
      const first = await upload(member, TINY_PNG);
      const second = await upload(member, TINY_PNG);
      await service.setAvatar(member, first);
      await service.setAvatar(member, second);
      await expect(service.readTicket(peer, first, 'original')).rejects.toMatchObject({ code: ErrorCode.NotFound });
      await expect(service.readTicket(peer, second, 'original')).resolves.toBeDefined();
      await service.setAvatar(member, null);
      await expect(service.readTicket(peer, second, 'original')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });

    it.each([
      ['a video', async () => upload(member, sampleIsoMedia(2000)), /is a video, an avatar must be an image/],
      ["someone else's image", async () => upload(uploader, TINY_PNG), /is not your own upload/],
      ['an unknown id', async () => 'med_unknown', /does not exist/],
    ])('avatarMediaId naming %s is refused with VALIDATION_FAILED (→ 400) naming the problem', async (_what, make, problem) => {
      const id = await make();
      await expect(service.setAvatar(member, id)).rejects.toMatchObject({ code: ErrorCode.ValidationFailed, message: expect.stringMatching(problem) });
      await expect(service.readTicket(peer, id, 'original')).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });
  });

  /* Item 7 (unbounded resources), the media part. */
  describe('item 7: bounded uploads', () => {
    /** A video that never ends; counts the bytes the service pulled from it. */
    function endlessVideo(): { body: AsyncIterable<Buffer>; pulled: () => number } {
      let pulled = 0;
      const head = sampleIsoMedia(64 * 1024);
      async function* body(): AsyncIterable<Buffer> {
        pulled += head.length;
        yield head;
        for (;;) {
          const chunk = Buffer.alloc(64 * 1024, 7);
          pulled += chunk.length;
          yield chunk;
        }
      }
      return { body: body(), pulled: () => pulled };
    }

    it('an upload is read as it arrives and refused (PAYLOAD_TOO_LARGE) as soon as it passes its limit; nothing of it is kept', async () => {
      const { ticket } = await service.uploadTicket(uploader);
      const video = endlessVideo();
      await expect(service.upload(uploader.orgId, ticket, video.body)).rejects.toMatchObject({ code: ErrorCode.PayloadTooLarge, message: 'videos may be at most 700000 bytes' });
      expect(video.pulled()).toBeLessThanOrEqual(700_000 + 64 * 1024);
      expect(repo.files.size).toBe(0);
      expect(repo.chunkStore.size).toBe(0);
    });

    it('a streamed video is stored chunk by chunk, exactly as sent', async () => {
      const video = sampleIsoMedia(MEDIA_CHUNK_SIZE * 2 + 777);
      async function* inPieces(): AsyncIterable<Buffer> {
        for (let i = 0; i < video.length; i += 10_000) yield video.subarray(i, i + 10_000);
      }
      const { ticket } = await service.uploadTicket(uploader);
      const view = await service.upload(uploader.orgId, ticket, inPieces());
      expect(view).toMatchObject({ kind: 'video', size: video.length });
      expect((await download(uploader, view.id)).bytes.equals(video)).toBe(true);
      expect([...repo.chunkStore.keys()].filter((k) => k.startsWith(view.id))).toHaveLength(3);
    });

    it('an image whose header claims more than MEDIA_MAX_IMAGE_PIXELS (a decompression bomb) is refused before decoding', async () => {
      // TINY_PNG with its IHDR saying 15000 × 15000 (225 megapixels, under sharp's own default limit).
      const bomb = Buffer.from(TINY_PNG);
      bomb.writeUInt32BE(15_000, 16);
      bomb.writeUInt32BE(15_000, 20);
      bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29);
      const { ticket } = await service.uploadTicket(uploader);
      await expect(service.upload(uploader.orgId, ticket, bomb)).rejects.toMatchObject({
        code: ErrorCode.PayloadTooLarge, message: 'images may have at most 50000000 pixels (this one has 225000000)',
      });
      const small = makeService({ MEDIA_MAX_IMAGE_PIXELS: 1000 });
      const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();
      const t2 = await small.uploadTicket(uploader);
      await expect(small.upload(uploader.orgId, t2.ticket, photo)).rejects.toMatchObject({ code: ErrorCode.PayloadTooLarge });
      expect(repo.files.size).toBe(0);
    });

    it('uploads past MEDIA_QUOTA_BYTES_PER_USER are refused with MEDIA_QUOTA_EXCEEDED (→ 413) naming the quota; other users are not affected', async () => {
      const limited = makeService({ MEDIA_QUOTA_BYTES_PER_USER: 5000 });
      const put = async (actor: Actor, bytes: Buffer) => limited.upload(actor.orgId, (await limited.uploadTicket(actor)).ticket, bytes);
      await expect(put(uploader, sampleIsoMedia(3000))).resolves.toMatchObject({ size: 3000 });
      await expect(put(uploader, sampleIsoMedia(3000))).rejects.toMatchObject({
        code: ErrorCode.MediaQuotaExceeded, message: expect.stringMatching(/^media quota exceeded: you may store 5000 bytes of media and have 2000 left/),
      });
      await expect(put(member, sampleIsoMedia(3000))).resolves.toMatchObject({ size: 3000 });
    });

    it('every upload schedules its media-cleanup job; posting the media (or making it an avatar) keeps it from the cleanup', async () => {
      const posted = await upload(uploader, TINY_PNG);
      const avatar = await upload(member, TINY_PNG);
      const forgotten = await upload(uploader, TINY_PNG);
      expect(scheduled).toEqual([posted, avatar, forgotten].map((mediaId) => ({ orgId: 'org_1', mediaId, delayMs: 24 * 60 * 60_000 })));
      await service.requireOwnMedia(uploader, [posted]);
      await service.setAvatar(member, avatar);
      expect(await repo.deleteIfUnattached('org_1', posted)).toBe(false);
      expect(await repo.deleteIfUnattached('org_1', avatar)).toBe(false);
      expect(await repo.deleteIfUnattached('org_1', forgotten)).toBe(true);
      await expect(service.requireOwnMedia(uploader, [forgotten])).rejects.toMatchObject({ code: ErrorCode.NotFound });
    });
  });
});
