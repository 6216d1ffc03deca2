import { Actor } from '@wellifiy/contracts';

/** Test actor builders: a team member or patient of one organisation, overridable field by field. */
export function teamMemberActor(overrides: Partial<Actor> = {}): Actor {
  return { userId: 'tm_1', orgId: 'org_1', kind: 'team_member', perms: [], ...overrides };
}

export function patientActor(overrides: Partial<Actor> = {}): Actor {
  return { userId: 'pat_1', orgId: 'org_1', kind: 'patient', perms: [], ...overrides };
}

export function managerActor(overrides: Partial<Actor> = {}): Actor {
  return teamMemberActor({ userId: 'tm_manager', perms: ['messaging:manage'], ...overrides });
}
