import 'reflect-metadata';
import sharp from 'sharp';
import { Actor, DomainError, ErrorCode, MediaVariant } from '@wellifiy/contracts';
import { KeyRing } from '@wellifiy/crypto';
import { LOCAL_ENCRYPTION_ACTIVE_KEY_ID, LOCAL_ENCRYPTION_KEYS, patternByte, patientActor, sampleIsoMedia, teamMemberActor, TINY_PNG } from '@wellifiy/testing';
import { MessagesConfig } from '../config/messages.config';
import { MembershipService } from '../membership/membership.service';
import { MediaCipher, SealedChunk } from './media-cipher';
import { parseRange } from './media-range';
import { MediaFile, MediaGrant, MediaRead, MediaRepository, MediaTicket } from './media.repository';
import { MEDIA_CHUNK_SIZE, MediaService } from './media.service';

/** MediaRepository faked at its interface. */
class FakeMediaRepository extends MediaRepository {
  files = new Map<string, MediaFile>();
  chunkStore = new Map<string, SealedChunk>();
  grants: MediaGrant[] = [];
  reads: MediaRead[] = [];
  tickets = new Map<string, MediaTicket>();

  async store(file: MediaFile, chunks: { variant: MediaVariant; n: number; sealed: SealedChunk }[]): Promise<void> {
    for (const c of chunks) this.chunkStore.set(`${file._id}:${c.variant}:${c.n}`, c.sealed);
    this.files.set(file._id, file);
  }
  async find(orgId: string, id: string): Promise<MediaFile | null> {
    const f = this.files.get(id);
    return f && f.orgId === orgId ? f : null;
  }
  async chunks(orgId: string, id: string, variant: MediaVariant, from: number, to: number): Promise<SealedChunk[]> {
    const out: SealedChunk[] = [];
    for (let n = from; n <= to; n++) {
      const c = this.chunkStore.get(`${id}:${variant}:${n}`);
      if (c && this.files.get(id)?.orgId === orgId) out.push(c);
    }
    return out;
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
  const channelMembers: Record<string, string[]> = { ch_1: ['tm_up', 'pat_member'] };

  beforeEach(() => {
    repo = new FakeMediaRepository();
    const membership = {
      requireMember: async (actor: Actor, channelId: string) => {
        if (!channelMembers[channelId]?.includes(actor.userId)) throw new DomainError(ErrorCode.NotFound, 'channel not found');
        return { id: channelId };
      },
    } as unknown as MembershipService;
    const config = Object.assign(new MessagesConfig(), { MEDIA_MAX_IMAGE_BYTES: 50_000, MEDIA_MAX_VIDEO_BYTES: 700_000 });
    service = new MediaService(repo, new MediaCipher(KeyRing.parse(LOCAL_ENCRYPTION_KEYS, LOCAL_ENCRYPTION_ACTIVE_KEY_ID)), membership, config);
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
});
