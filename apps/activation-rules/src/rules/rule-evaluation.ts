/**
 * Which team members a patient's new care_team / service_team channel gets (DESIGN §2 rule 10):
 * the rule's assigned team members that are still active; else the patient's allocation clinician if
 * active; else no activation, and the patient is flagged `needs_staffing` for an admin.
 * Pure: no I/O, the caller supplies the directory state.
 */

/** A team member as this service's projection knows them; absent from the map = not known (yet). */
export type TeamMemberState = 'active' | 'archived';

export interface RuleEvaluationInput {
  rule: { autoActivate: boolean; teamMemberIds: readonly string[] };
  patient: { allocationClinicianId: string | null };
  teamMembers: ReadonlyMap<string, TeamMemberState>;
}

export type IntakeOutcome = 'activated' | 'needs_staffing' | 'skipped_rule_off';

export type ActivationDecision =
  | { outcome: 'skipped_rule_off' }
  | { outcome: 'activated'; teamMemberIds: string[]; staffedBy: 'assigned' | 'allocation_clinician' }
  /**
   * `clinicianNotYetKnown`: the patient has an allocation clinician this projection has not heard of
   * (their team-member.created may still be on its way). Treated as not active; the caller may retry first.
   */
  | { outcome: 'needs_staffing'; clinicianNotYetKnown: boolean };

export function evaluateActivationRule({ rule, patient, teamMembers }: RuleEvaluationInput): ActivationDecision {
  if (!rule.autoActivate) return { outcome: 'skipped_rule_off' };
  const assigned = [...new Set(rule.teamMemberIds)].filter((id) => teamMembers.get(id) === 'active');
  if (assigned.length) return { outcome: 'activated', teamMemberIds: assigned, staffedBy: 'assigned' };
  const clinician = patient.allocationClinicianId;
  if (clinician && teamMembers.get(clinician) === 'active') {
    return { outcome: 'activated', teamMemberIds: [clinician], staffedBy: 'allocation_clinician' };
  }
  return { outcome: 'needs_staffing', clinicianNotYetKnown: clinician !== null && !teamMembers.has(clinician) };
}
