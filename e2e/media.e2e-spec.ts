import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { expectEventually, expectNever, sampleIsoMedia, TINY_PNG } from '@wellifiy/testing';
import { api, connectRealtime, newOrg, RealtimeClient } from './support/client';
import { E2E_MEDIA_MAX_IMAGE_BYTES, E2E_MEDIA_MAX_VIDEO_BYTES, E2E_MEDIA_QUOTA_BYTES_PER_USER, e2eForbiddenPreviewPort, e2ePreviewPort } from './support/media-env';
import { E2E_BASE_PORT, gatewayUrl } from './support/system';

/** multipart/form-data upload, as a browser or app sends it. */
async function uploadMedia(token: string, bytes: Buffer, filename: string, type: string): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type }), filename);
  const res = await fetch(`${gatewayUrl}/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, body: await res.json() };
}

async function getMedia(token: string, path: string, range?: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(`${gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}`, ...(range ? { range } : {}) } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/**
 * DESIGN §3 media and link previews, through the gateway only: uploads typed by their bytes, size limits,
 * range requests, access only for the uploader and the members of channels the media was posted in, and
 * server-side link previews that arrive with message.updated and never reach private addresses.
 */
describe('media and link previews', () => {
  const org = newOrg();
  const otherOrg = newOrg();
  const sockets: RealtimeClient[] = [];
  let tm: Awaited<ReturnType<typeof org.teamMember>>;
  let patient: Awaited<ReturnType<typeof org.patient>>;
  let outsider: Awaited<ReturnType<typeof org.teamMember>>;
  let foreigner: Awaited<ReturnType<typeof otherOrg.teamMember>>;
  let channelId: string;
  const video = sampleIsoMedia(300_000); // more than one 256 KiB storage chunk

  beforeAll(async () => {
    [tm, patient, outsider, foreigner] = await Promise.all([org.teamMember(), org.patient(), org.teamMember(), otherOrg.teamMember()]);
    const activated = await api('POST', `/v1/patients/${patient.userId}/channels/care_team/activate`, { token: tm.token });
    expect(activated.status).toBe(200);
    channelId = activated.body.id;
  });

  afterAll(() => sockets.forEach((s) => s.close()));

  describe('uploads', () => {
    it('a PNG is stored as an image with a thumbnail; the uploader reads both', async () => {
      const up = await uploadMedia(tm.token, TINY_PNG, 'dot.png', 'image/png');
      expect(up.status).toBe(201);
      expect(up.body).toMatchObject({ id: expect.stringMatching(/^med_/), kind: 'image', contentType: 'image/png', hasThumbnail: true, width: 1, height: 1 });
      const original = await getMedia(tm.token, `/v1/media/${up.body.id}`);
      expect(original.status).toBe(200);
      expect(original.headers.get('content-type')).toBe('image/png');
      expect(original.bytes.subarray(0, 8).equals(TINY_PNG.subarray(0, 8))).toBe(true);
      const thumb = await getMedia(tm.token, `/v1/media/${up.body.id}/thumbnail`);
      expect(thumb.status).toBe(200);
      expect(thumb.headers.get('content-type')).toBe('image/webp');
      expect(thumb.bytes.subarray(8, 12).toString('latin1')).toBe('WEBP');
    });

    it('an MP4 is typed from its bytes even when the client calls it something else', async () => {
      const up = await uploadMedia(tm.token, video, 'clip.bin', 'application/octet-stream');
      expect(up.status).toBe(201);
      expect(up.body).toMatchObject({ kind: 'video', contentType: 'video/mp4', size: video.length, hasThumbnail: false });
    });

    it('a text file named .png with an image/png header is refused: 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const up = await uploadMedia(tm.token, Buffer.from('definitely not a picture\n'), 'photo.png', 'image/png');
      expect(up.status).toBe(415);
      expect(up.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('an image above the image size limit is refused: 413 PAYLOAD_TOO_LARGE', async () => {
      const big = Buffer.concat([TINY_PNG, Buffer.alloc(E2E_MEDIA_MAX_IMAGE_BYTES)]);
      const up = await uploadMedia(tm.token, big, 'big.png', 'image/png');
      expect(up.status).toBe(413);
      expect(up.body.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('a request without the file field is a 400; without a token a 401', async () => {
      const res = await fetch(`${gatewayUrl}/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${tm.token}` }, body: new FormData() });
      expect(res.status).toBe(400);
      const anonymous = new FormData();
      anonymous.append('file', new Blob([TINY_PNG]), 'dot.png');
      expect((await fetch(`${gatewayUrl}/v1/media`, { method: 'POST', body: anonymous })).status).toBe(401);
    });
  });

  describe('range requests and access', () => {
    let videoId: string;
    let imageId: string;

    beforeAll(async () => {
      videoId = (await uploadMedia(tm.token, video, 'clip.mp4', 'video/mp4')).body.id;
      imageId = (await uploadMedia(tm.token, TINY_PNG, 'dot.png', 'image/png')).body.id;
    });

    it('the whole video: 200 with Accept-Ranges and exactly the uploaded bytes', async () => {
      const res = await getMedia(tm.token, `/v1/media/${videoId}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(res.headers.get('content-type')).toBe('video/mp4');
      expect(res.bytes.equals(video)).toBe(true);
    });

    it.each([
      ['bytes=0-99', 0, 99],
      ['bytes=262100-262199', 262100, 262199], // across the storage chunk boundary
      ['bytes=299990-', 299990, 299999],
      ['bytes=-10', 299990, 299999],
    ])('Range %s → 206 with Content-Range and the right bytes', async (range, start, end) => {
      const res = await getMedia(tm.token, `/v1/media/${videoId}`, range);
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${video.length}`);
      expect(res.headers.get('content-length')).toBe(String(end - start + 1));
      expect(res.bytes.equals(video.subarray(start, end + 1))).toBe(true);
    });

    it('an unsatisfiable range → 416 with the size', async () => {
      const res = await getMedia(tm.token, `/v1/media/${videoId}`, `bytes=${video.length}-`);
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${video.length}`);
    });

    it('before it is posted, only the uploader can read it: 404 for the patient, another team member, another organisation', async () => {
      for (const user of [patient, outsider, foreigner]) {
        expect((await getMedia(user.token, `/v1/media/${videoId}`)).status).toBe(404);
        expect((await getMedia(user.token, `/v1/media/${imageId}/thumbnail`)).status).toBe(404);
      }
    });

    it('posting it in a channel makes it readable by the members (ranges too), still 404 for non-members', async () => {
      const sent = await api('POST', `/v1/channels/${channelId}/messages`, {
        token: tm.token,
        body: { clientMessageId: `c-${randomUUID()}`, body: 'your clip and picture', attachments: [videoId, imageId] },
      });
      expect(sent.status).toBe(201);
      expect(sent.body.attachments).toEqual([videoId, imageId]);
      const listed = await api('GET', `/v1/channels/${channelId}/messages`, { token: patient.token });
      expect(listed.body.messages.find((m: { id: string }) => m.id === sent.body.id)?.attachments).toEqual([videoId, imageId]);

      const part = await getMedia(patient.token, `/v1/media/${videoId}`, 'bytes=1000-1999');
      expect(part.status).toBe(206);
      expect(part.bytes.equals(video.subarray(1000, 2000))).toBe(true);
      expect((await getMedia(patient.token, `/v1/media/${imageId}/thumbnail`)).status).toBe(200);
      for (const user of [outsider, foreigner]) expect((await getMedia(user.token, `/v1/media/${videoId}`)).status).toBe(404);
    });

    it('only your own uploads can be attached: someone else\'s or an unknown id → 404, and no message is stored', async () => {
      const theirs = (await uploadMedia(patient.token, TINY_PNG, 'p.png', 'image/png')).body.id as string;
      for (const attachments of [[theirs], ['med_doesnotexist']]) {
        const clientMessageId = `c-${randomUUID()}`;
        const res = await api('POST', `/v1/channels/${channelId}/messages`, { token: tm.token, body: { clientMessageId, body: 'x', attachments } });
        expect(res.status).toBe(404);
        const listed = await api('GET', `/v1/channels/${channelId}/messages`, { token: tm.token });
        expect(listed.body.messages.map((m: { clientMessageId: string }) => m.clientMessageId)).not.toContain(clientMessageId);
      }
      expect((await getMedia(tm.token, `/v1/media/${theirs}`)).status).toBe(404);
    });

    it('a media id that is not an id is a 400', async () => {
      expect((await getMedia(tm.token, '/v1/media/..%2Fetc')).status).toBe(400);
    });
  });

  describe('link previews', () => {
    let allowed: http.Server;
    let forbidden: http.Server;
    const allowedHits: string[] = [];
    const forbiddenHits: string[] = [];
    const previewPort = e2ePreviewPort(E2E_BASE_PORT);
    const forbiddenPort = e2eForbiddenPreviewPort(E2E_BASE_PORT);

    beforeAll(async () => {
      allowed = http.createServer((req, res) => {
        allowedHits.push(req.url ?? '');
        if (req.url === '/to-private') {
          res.writeHead(302, { location: `http://127.0.0.1:${forbiddenPort}/internal` }).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
          `<html><head><title>ignored</title><meta property="og:title" content="Clinic news">
           <meta property="og:description" content="Opening hours &amp; more"><meta property="og:image" content="/cover.png">
           <meta property="og:site_name" content="Clinic"></head></html>`,
        );
      });
      forbidden = http.createServer((req, res) => {
        forbiddenHits.push(req.url ?? '');
        res.writeHead(200, { 'content-type': 'text/html' }).end('<title>internal admin</title>');
      });
      await new Promise<void>((r) => allowed.listen(previewPort, '127.0.0.1', r));
      await new Promise<void>((r) => forbidden.listen(forbiddenPort, '127.0.0.1', r));
    });

    afterAll(async () => {
      allowed.closeAllConnections();
      forbidden.closeAllConnections();
      await new Promise((r) => allowed.close(r));
      await new Promise((r) => forbidden.close(r));
    });

    const send = async (body: string): Promise<string> => {
      const res = await api('POST', `/v1/channels/${channelId}/messages`, { token: tm.token, body: { clientMessageId: `c-${randomUUID()}`, body } });
      expect(res.status).toBe(201);
      return res.body.id;
    };

    it('a link to an allow-listed server gets a preview, delivered to members with message.updated and kept on the message', async () => {
      const socket = await connectRealtime(patient.token);
      sockets.push(socket);
      const url = `http://127.0.0.1:${previewPort}/article?id=1`;
      const id = await send(`Please read ${url} before your visit`);
      const updated = await expectEventually(() => {
        const u = socket.received('message.updated').find((m) => m.id === id);
        expect(u).toMatchObject({ id, linkPreview: expect.objectContaining({ url: expect.any(String) }) });
        return u;
      });
      expect(updated.linkPreview).toEqual({
        url,
        title: 'Clinic news',
        description: 'Opening hours & more',
        imageUrl: `http://127.0.0.1:${previewPort}/cover.png`,
        siteName: 'Clinic',
      });
      expect(updated.body).toBe(`Please read ${url} before your visit`);
      const listed = await api('GET', `/v1/channels/${channelId}/messages`, { token: patient.token });
      expect(listed.body.messages.find((m: { id: string }) => m.id === id)?.linkPreview).toEqual(updated.linkPreview);
    });

    it('127.0.0.1 (not allow-listed), 169.254.169.254 and a redirect to a private address get no preview and are never fetched', async () => {
      const socket = await connectRealtime(tm.token);
      sockets.push(socket);
      const refused = [
        await send(`internal http://127.0.0.1:${forbiddenPort}/admin`),
        await send('metadata http://169.254.169.254/latest/meta-data/iam'),
        await send(`redirect http://127.0.0.1:${previewPort}/to-private`),
      ];
      // The redirect job did run: it fetched the allowed hop, then refused the private one.
      await expectEventually(() => expect(allowedHits).toContain('/to-private'));
      // A preview that is fetched after these, in the same channel, shows the jobs are being processed.
      const control = await send(`control http://127.0.0.1:${previewPort}/control`);
      await expectEventually(() => expect(socket.received('message.updated').map((m) => m.id)).toContain(control));
      await expectNever(() => socket.received('message.updated').some((m) => refused.includes(m.id)), { forMs: 2000, what: 'a refused link got a preview' });
      expect(forbiddenHits).toEqual([]);
      const listed = await api('GET', `/v1/channels/${channelId}/messages`, { token: tm.token });
      for (const id of refused) expect(listed.body.messages.find((m: { id: string }) => m.id === id)?.linkPreview).toBeUndefined();
    });
  });
});

describe('item 9: avatars', () => {
  const org = newOrg();
  const otherOrg = newOrg();
  let manager: Awaited<ReturnType<typeof org.teamMember>>;
  let alice: Awaited<ReturnType<typeof org.patient>>;
  let bob: Awaited<ReturnType<typeof org.patient>>;
  let stranger: Awaited<ReturnType<typeof org.patient>>;
  let outsider: Awaited<ReturnType<typeof org.teamMember>>;
  let foreigner: Awaited<ReturnType<typeof otherOrg.teamMember>>;

  beforeAll(async () => {
    [manager, alice, bob, stranger, outsider, foreigner] = await Promise.all([
      org.teamMember(undefined, ['messaging:manage']), org.patient(), org.patient(), org.patient(), org.teamMember(), otherOrg.teamMember(),
    ]);
    const group = await api('POST', '/v1/channels', { token: manager.token, body: { type: 'group', name: 'Peer support', memberIds: [alice.userId, bob.userId] } });
    expect(group.status).toBe(201);
  });

  it("a patient's avatar is loaded by the other members of their group and the team; 404 for users sharing no channel and other organisations", async () => {
    const up = await uploadMedia(alice.token, TINY_PNG, 'me.png', 'image/png');
    expect(up.status).toBe(201);
    const profile = await api('PATCH', '/v1/me/profile', { token: alice.token, body: { avatarMediaId: up.body.id } });
    expect(profile.status).toBe(200);
    expect(profile.body.avatarMediaId).toBe(up.body.id);

    for (const viewer of [bob, manager, alice]) {
      await expectEventually(async () => expect((await getMedia(viewer.token, `/v1/media/${up.body.id}/thumbnail`)).status).toBe(200));
    }
    for (const viewer of [stranger, outsider, foreigner]) expect((await getMedia(viewer.token, `/v1/media/${up.body.id}`)).status).toBe(404);
  });

  it('avatarMediaId must be your own image: a video or someone else\'s media is refused with a 400 naming the problem, and the profile is unchanged', async () => {
    const clip = await uploadMedia(alice.token, sampleIsoMedia(5000), 'clip.mp4', 'video/mp4');
    const bobsImage = await uploadMedia(bob.token, TINY_PNG, 'bob.png', 'image/png');
    const before = (await api('GET', '/v1/me', { token: alice.token })).body.avatarMediaId;

    const video = await api('PATCH', '/v1/me/profile', { token: alice.token, body: { avatarMediaId: clip.body.id } });
    expect(video.status).toBe(400);
    expect(video.body.message).toMatch(/is a video, an avatar must be an image/);
    const foreign = await api('PATCH', '/v1/me/profile', { token: alice.token, body: { avatarMediaId: bobsImage.body.id } });
    expect(foreign.status).toBe(400);
    expect(foreign.body.message).toMatch(/is not your own upload/);
    expect((await api('GET', '/v1/me', { token: alice.token })).body.avatarMediaId).toBe(before);
  });
});

describe('item 7: bounded media', () => {
  const org = newOrg();

  it('uploads stream through; past the video limit → 413 PAYLOAD_TOO_LARGE, past the per-user quota → 413 MEDIA_QUOTA_EXCEEDED', async () => {
    const uploader = await org.teamMember();
    const tooBig = await uploadMedia(uploader.token, sampleIsoMedia(E2E_MEDIA_MAX_VIDEO_BYTES + 1), 'big.mp4', 'video/mp4');
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.code).toBe('PAYLOAD_TOO_LARGE');

    const clip = sampleIsoMedia(E2E_MEDIA_MAX_VIDEO_BYTES);
    const fits = Math.floor(E2E_MEDIA_QUOTA_BYTES_PER_USER / clip.length);
    for (let i = 0; i < fits; i++) expect((await uploadMedia(uploader.token, clip, `clip-${i}.mp4`, 'video/mp4')).status).toBe(201);
    const over = await uploadMedia(uploader.token, clip, 'one-more.mp4', 'video/mp4');
    expect(over.status).toBe(413);
    expect(over.body.code).toBe('MEDIA_QUOTA_EXCEEDED');
    expect(over.body.message).toMatch(/media quota exceeded: you may store \d+ bytes/);
    // Another user's quota is their own.
    expect((await uploadMedia((await org.teamMember()).token, clip, 'clip.mp4', 'video/mp4')).status).toBe(201);
  });
});
