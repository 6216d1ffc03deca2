import { managerActor, patientActor, teamMemberActor } from '@wellifiy/testing';
import { ChannelMemberDoc } from '../channels/channel.schema';
import { T0 } from '../channels/channels.fakes';
import { Patient, TeamMember } from '../directory/directory.repository';
import { memberView } from './member-views';

const patient = (p: Partial<Patient> & { patientId: string }): Patient => ({
  orgId: 'org_1', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', allocationClinicianId: null,
  displayName: null, avatarMediaId: null, updatedAt: T0, ...p,
});

const teamMember = (t: Partial<TeamMember> & { teamMemberId: string }): TeamMember => ({
  orgId: 'org_1', firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com', title: 'RN', archived: false, updatedAt: T0, ...t,
});

const member = (userId: string, kind: ChannelMemberDoc['kind']): ChannelMemberDoc => ({ userId, kind, joinedAt: T0, addedBy: 'tm_1' });

describe('memberView (rule 9)', () => {
  const patients = new Map<string, Patient>([
    ['pat_1', patient({ patientId: 'pat_1' })],
    ['pat_2', patient({ patientId: 'pat_2', firstName: 'Bo', lastName: 'Bellweather', displayName: 'Bobby', avatarMediaId: 'med_bo' })],
  ]);
  const team = new Map<string, TeamMember>([['tm_1', teamMember({ teamMemberId: 'tm_1' })]]);

  it('rule 9: a patient viewer sees another patient by default display name (first name) only', () => {
    const view = memberView(member('pat_1', 'patient'), patientActor({ userId: 'pat_2' }), patients, team);

    expect(view).toEqual({ userId: 'pat_1', kind: 'patient', displayName: 'Ada', title: null, avatarMediaId: null, joinedAt: T0.toISOString() });
    expect(JSON.stringify(view)).not.toContain('Lovelace');
    expect(JSON.stringify(view)).not.toContain('realName');
  });

  it('rule 9: a patient viewer sees the chosen display name and avatar, never the real first or last name', () => {
    const view = memberView(member('pat_2', 'patient'), patientActor({ userId: 'pat_1' }), patients, team);

    expect(view).toEqual({ userId: 'pat_2', kind: 'patient', displayName: 'Bobby', title: null, avatarMediaId: 'med_bo', joinedAt: T0.toISOString() });
    const wire = JSON.stringify(view);
    for (const secret of ['"Bo"', 'Bellweather', 'realName', 'bo@', 'email']) expect(wire).not.toContain(secret);
  });

  it.each([
    ['a team member', teamMemberActor()],
    ['a manager', managerActor()],
  ])('rule 9: %s sees the real name beside the display name', (_label, viewer) => {
    expect(memberView(member('pat_2', 'patient'), viewer, patients, team)).toEqual({
      userId: 'pat_2', kind: 'patient', displayName: 'Bobby', realName: { firstName: 'Bo', lastName: 'Bellweather' },
      title: null, avatarMediaId: 'med_bo', joinedAt: T0.toISOString(),
    });
    expect(memberView(member('pat_1', 'patient'), viewer, patients, team)).toMatchObject({
      displayName: 'Ada', realName: { firstName: 'Ada', lastName: 'Lovelace' },
    });
  });

  it.each([
    ['a patient', patientActor()],
    ['a team member', teamMemberActor({ userId: 'tm_9' })],
  ])('rule 9: team members show "First Last" and title to %s', (_label, viewer) => {
    expect(memberView(member('tm_1', 'team_member'), viewer, patients, team)).toEqual({
      userId: 'tm_1', kind: 'team_member', displayName: 'Grace Hopper', title: 'RN', avatarMediaId: null, joinedAt: T0.toISOString(),
    });
  });

  it('rule 9: members the directory does not know yet appear as "Unknown member" without any name', () => {
    expect(memberView(member('pat_x', 'patient'), teamMemberActor(), patients, team)).toEqual({
      userId: 'pat_x', kind: 'patient', displayName: 'Unknown member', title: null, avatarMediaId: null, joinedAt: T0.toISOString(),
    });
    expect(memberView(member('tm_x', 'team_member'), patientActor(), patients, team)).toEqual({
      userId: 'tm_x', kind: 'team_member', displayName: 'Unknown member', title: null, avatarMediaId: null, joinedAt: T0.toISOString(),
    });
  });
});
