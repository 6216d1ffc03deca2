import { claimsToActor } from '@wellifiy/auth';
import {
  DEMO_DM_MEMBER_IDS, DEMO_GROUP_CHANNEL, DEMO_MANAGER, DEMO_MESSAGES, DEMO_ORGANISATION, DEMO_STAFF_CHANNEL, DEMO_USERS, findDemoUser,
} from './demo-organisation';

const kindOf = (id: string) => findDemoUser(id)?.kind;

describe('The demo organisation (one definition for the seed and the development sign-in)', () => {
  it('has one manager with messaging:manage, settings:manage and audit:read, one plain team member and two patients', () => {
    expect([...DEMO_MANAGER.permissions].sort()).toEqual(['audit:read', 'messaging:manage', 'settings:manage']);
    expect(DEMO_USERS.filter((u) => u.kind === 'team_member' && u.permissions.length === 0)).toHaveLength(1);
    expect(DEMO_USERS.filter((u) => u.kind === 'patient')).toHaveLength(2);
    expect(new Set(DEMO_USERS.map((u) => u.userId)).size).toBe(DEMO_USERS.length);
  });

  it('ids and organisation are ones a token may carry', () => {
    for (const u of DEMO_USERS) {
      expect(claimsToActor({ sub: u.userId, org: DEMO_ORGANISATION.id, kind: u.kind, perms: u.permissions, exp: 1 }).userId).toBe(u.userId);
    }
  });

  it('keeps patients out of the staff channel and the DM (rule 2), and staffs the group with a team member', () => {
    expect([...DEMO_STAFF_CHANNEL.memberIds, ...DEMO_DM_MEMBER_IDS].map(kindOf)).not.toContain('patient');
    expect(kindOf(DEMO_STAFF_CHANNEL.patientId)).toBe('patient');
    expect(DEMO_GROUP_CHANNEL.memberIds.map(kindOf)).toEqual(expect.arrayContaining(['team_member', 'patient']));
    for (const u of DEMO_USERS.filter((p) => p.kind === 'patient')) expect(kindOf(u.allocationClinicianId ?? '')).toBe('team_member');
  });

  it('every message has a unique clientMessageId and a sender who is a member of its channel', () => {
    expect(new Set(DEMO_MESSAGES.map((m) => m.clientMessageId)).size).toBe(DEMO_MESSAGES.length);
    const manager = DEMO_MANAGER.userId;
    const membersOf = (m: (typeof DEMO_MESSAGES)[number]): string[] => {
      if ('careTeamOf' in m.channel) {
        const patient = findDemoUser(m.channel.careTeamOf);
        return [manager, m.channel.careTeamOf, patient?.allocationClinicianId ?? ''];
      }
      const named = { group: DEMO_GROUP_CHANNEL.memberIds, staff: DEMO_STAFF_CHANNEL.memberIds, dm: DEMO_DM_MEMBER_IDS }[m.channel.named];
      return [manager, ...named];
    };
    const strays = DEMO_MESSAGES.filter((m) => !membersOf(m).includes(m.senderId)).map((m) => m.clientMessageId);
    expect(strays).toEqual([]);
  });
});
