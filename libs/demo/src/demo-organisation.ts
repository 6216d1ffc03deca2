import { Permission, UserKind } from '@wellifiy/contracts';

/*
 * The demo organisation of development runs: who exists, which channels they share and what was said. One
 * definition, read by the seed (tools/dev/start-system.mjs) and by the gateway's development sign-in
 * (GET /v1/dev/users), so the sign-in page lists exactly the people the seed introduced. Every name here is made up.
 */

export const DEMO_ORGANISATION = { id: 'org_demo', name: 'Wellifiy Demo Clinic' } as const;

export interface DemoUser {
  userId: string;
  kind: UserKind;
  firstName: string;
  lastName: string;
  /** What other patients see (patients set it themselves; the seed sets it where it differs from the first name). */
  displayName: string;
  email: string;
  permissions: Permission[];
  /** Team members only: their title in the staff directory. */
  title?: string;
  /** Patients only: the team member the patient service names as allocation clinician. */
  allocationClinicianId?: string;
}

export const DEMO_MANAGER: DemoUser = {
  userId: 'tm_demo_manager',
  kind: 'team_member',
  firstName: 'Maya',
  lastName: 'Okafor',
  displayName: 'Maya Okafor',
  email: 'maya.okafor@demo-clinic.example',
  title: 'Clinical Lead',
  permissions: [Permission.MessagingManage, Permission.SettingsManage, Permission.AuditRead],
};

export const DEMO_TEAM_MEMBER: DemoUser = {
  userId: 'tm_demo_nurse',
  kind: 'team_member',
  firstName: 'Sam',
  lastName: 'Lindqvist',
  displayName: 'Sam Lindqvist',
  email: 'sam.lindqvist@demo-clinic.example',
  title: 'Nurse',
  permissions: [],
};

export const DEMO_PATIENT_ALEX: DemoUser = {
  userId: 'pt_demo_alex',
  kind: 'patient',
  firstName: 'Alex',
  lastName: 'Moreno',
  displayName: 'Alex',
  email: 'alex.moreno@patient.example',
  allocationClinicianId: DEMO_TEAM_MEMBER.userId,
  permissions: [],
};

export const DEMO_PATIENT_JORDAN: DemoUser = {
  userId: 'pt_demo_jordan',
  kind: 'patient',
  firstName: 'Jordan',
  lastName: 'Baptiste',
  displayName: 'JB',
  email: 'jordan.baptiste@patient.example',
  allocationClinicianId: DEMO_TEAM_MEMBER.userId,
  permissions: [],
};

export const DEMO_USERS: readonly DemoUser[] = [DEMO_MANAGER, DEMO_TEAM_MEMBER, DEMO_PATIENT_ALEX, DEMO_PATIENT_JORDAN];

export function realNameOf(user: DemoUser): string {
  return `${user.firstName} ${user.lastName}`;
}

export function findDemoUser(userId: string): DemoUser | undefined {
  return DEMO_USERS.find((u) => u.userId === userId);
}

/** Where a demo message is posted: a patient's care-team channel, or one of the named channels below. */
export type DemoChannelRef = { careTeamOf: string } | { named: 'group' | 'staff' | 'dm' };

export const DEMO_GROUP_CHANNEL = {
  name: 'Healthy Habits group',
  memberIds: [DEMO_TEAM_MEMBER.userId, DEMO_PATIENT_ALEX.userId, DEMO_PATIENT_JORDAN.userId],
} as const;

/** The staff channel about Alex: team members only, linked to the patient. */
export const DEMO_STAFF_CHANNEL = {
  name: 'Alex: care coordination',
  patientId: DEMO_PATIENT_ALEX.userId,
  memberIds: [DEMO_TEAM_MEMBER.userId],
} as const;

export const DEMO_DM_MEMBER_IDS = [DEMO_TEAM_MEMBER.userId] as const;

export interface DemoMessage {
  /** Stable, so a restart sends nothing twice (sends are idempotent per channel, sender and clientMessageId). */
  clientMessageId: string;
  channel: DemoChannelRef;
  senderId: string;
  body: string;
}

export const DEMO_MESSAGES: readonly DemoMessage[] = [
  { clientMessageId: 'demo-care-alex-1', channel: { careTeamOf: DEMO_PATIENT_ALEX.userId }, senderId: DEMO_PATIENT_ALEX.userId, body: 'Hi, I have a question about my new exercise plan.' },
  { clientMessageId: 'demo-care-alex-2', channel: { careTeamOf: DEMO_PATIENT_ALEX.userId }, senderId: DEMO_TEAM_MEMBER.userId, body: 'Of course, Alex. What would you like to know?' },
  { clientMessageId: 'demo-care-alex-3', channel: { careTeamOf: DEMO_PATIENT_ALEX.userId }, senderId: DEMO_PATIENT_ALEX.userId, body: 'Is it fine to do the stretches every morning?' },
  { clientMessageId: 'demo-care-jordan-1', channel: { careTeamOf: DEMO_PATIENT_JORDAN.userId }, senderId: DEMO_MANAGER.userId, body: 'Welcome to your care team, Jordan. Write to us here any time.' },
  { clientMessageId: 'demo-group-1', channel: { named: 'group' }, senderId: DEMO_MANAGER.userId, body: 'Welcome to the Healthy Habits group! Share one small goal for this week.' },
  { clientMessageId: 'demo-group-2', channel: { named: 'group' }, senderId: DEMO_PATIENT_JORDAN.userId, body: 'A ten-minute walk after lunch every day.' },
  { clientMessageId: 'demo-staff-1', channel: { named: 'staff' }, senderId: DEMO_MANAGER.userId, body: "Sam, can you follow up on Alex's exercise plan this week?" },
  { clientMessageId: 'demo-staff-2', channel: { named: 'staff' }, senderId: DEMO_TEAM_MEMBER.userId, body: 'Yes, I will call on Thursday.' },
  { clientMessageId: 'demo-dm-1', channel: { named: 'dm' }, senderId: DEMO_TEAM_MEMBER.userId, body: 'Are we still on for the team meeting at 3?' },
];
