import type { Socket } from 'socket.io-client';
import { socketReady, tokenFor } from '@wellifiy/testing';
import { quick, scale } from './options';
import { anyGatewayClient, Ctx, http, publish, until } from './system';

export interface Member {
  userId: string;
  token: string;
  socket?: Socket;
}

export interface SeededChannel {
  id: string;
  members: Member[];
}

/** A seeded organisation: care channels of 2–6 members, groups of 10–50 (and of hundreds in full mode). */
export async function seed(ctx: Ctx): Promise<{ channels: { id: string; members: Member[] }[]; users: Member[] }> {
  const staffCount = Math.max(5, Math.round(scale.users * 0.15));
  const patientCount = scale.users - staffCount;
  const mk = (prefix: string, i: number, kind: 'team_member' | 'patient', perms: string[] = []): Member => {
    const userId = `${prefix}_${i}`;
    return { userId, token: tokenFor({ userId, orgId: ctx.orgId, kind, perms }, { secret: ctx.secret }) };
  };
  const staff = Array.from({ length: staffCount }, (_, i) => mk('tm', i, 'team_member', ['messaging:manage']));
  const patients = Array.from({ length: patientCount }, (_, i) => mk('pt', i, 'patient'));
  await publish(ctx, [
    ...staff.map((s) => ({ type: 'team-member.created', data: { teamMemberId: s.userId, firstName: 'Team', lastName: s.userId } })),
    ...patients.map((p) => ({ type: 'patient.created', data: { patientId: p.userId, firstName: 'Pat', lastName: p.userId } })),
  ]);
  const last = patients[patients.length - 1];
  await until('the directory to know everyone', async () => (await http<{ firstName: string | null }>(ctx, 'GET', '/v1/me', last.token)).body?.firstName !== null);

  // Each patient's care channel (2–6 members) is set up by its own sequence of calls; 16 patients at a time.
  const channels: { id: string; members: Member[] }[] = new Array(patients.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < patients.length; i = next++) {
        const owner = staff[i % staff.length];
        const res = await http<{ id: string }>(ctx, 'POST', `/v1/patients/${patients[i].userId}/channels/care_team/activate`, owner.token);
        if (res.status >= 300) throw new Error(`activating a care channel answered ${res.status}`);
        const members = [patients[i], owner];
        for (let k = 1; k <= i % 5; k++) {
          const extra = staff[(i + k) % staff.length];
          if (members.includes(extra)) continue;
          await http(ctx, 'POST', `/v1/channels/${res.body.id}/members`, owner.token, { userId: extra.userId });
          members.push(extra);
        }
        channels[i] = { id: res.body.id, members };
      }
    }),
  );
  const groupSizes = quick ? [10, 30] : [10, 25, 50, 200, 500];
  for (const size of groupSizes) {
    const ps = patients.slice(0, Math.min(size - 1, patients.length));
    const res = await http<{ id: string }>(ctx, 'POST', '/v1/channels', staff[0].token, { type: 'group', name: `Group ${size}`, memberIds: ps.map((p) => p.userId) });
    channels.push({ id: res.body.id, members: [staff[0], ...ps] });
  }
  return { channels, users: [...staff, ...patients] };
}

export async function connectAll(ctx: Ctx, users: Member[]): Promise<void> {
  for (let i = 0; i < users.length; i += 50) {
    await Promise.all(
      users.slice(i, i + 50).map((u) => {
        u.socket = anyGatewayClient(ctx).socket(u.token);
        return socketReady(u.socket);
      }),
    );
  }
}
