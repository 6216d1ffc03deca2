import { Org } from './client';

type User = Awaited<ReturnType<Org['teamMember']>>;
export type TableViewer = 'manager' | 'teamMember' | 'teamNonMember' | 'patientMember' | 'patientNonMember' | 'otherOrg' | 'otherOrgPatient';

/**
 * The callers of an authorization table (endpoint or event × viewer), introduced in `org` and `elsewhere`; the spec
 * makes the memberships. `otherOrg` (messaging:manage) has the very user id of `teamMember` and `otherOrgPatient`
 * that of `patientMember`, in the other organisation: an id alone never grants anything across organisations.
 */
export async function tableViewers(org: Org, elsewhere: Org): Promise<Record<TableViewer, User>> {
  const manager = await org.teamMember(undefined, ['messaging:manage']);
  const teamMember = await org.teamMember();
  const teamNonMember = await org.teamMember();
  const patientMember = await org.patient();
  const patientNonMember = await org.patient();
  const otherOrg = await elsewhere.teamMember(teamMember.userId, ['messaging:manage']);
  const otherOrgPatient = await elsewhere.patient(patientMember.userId);
  return { manager, teamMember, teamNonMember, patientMember, patientNonMember, otherOrg, otherOrgPatient };
}
