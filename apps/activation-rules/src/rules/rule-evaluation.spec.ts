import { ActivationDecision, evaluateActivationRule, TeamMemberState } from './rule-evaluation';

const dir = (entries: Record<string, TeamMemberState>): ReadonlyMap<string, TeamMemberState> => new Map(Object.entries(entries));

describe('evaluateActivationRule (DESIGN §2 rule 10)', () => {
  const cases: {
    name: string;
    autoActivate: boolean;
    assigned: string[];
    clinician: string | null;
    directory: Record<string, TeamMemberState>;
    expected: ActivationDecision;
  }[] = [
    {
      name: 'rule off: skipped, even with active assigned members and clinician',
      autoActivate: false, assigned: ['tm_a'], clinician: 'tm_c', directory: { tm_a: 'active', tm_c: 'active' },
      expected: { outcome: 'skipped_rule_off' },
    },
    {
      name: 'rule on, assigned members all active: activated with them, in rule order',
      autoActivate: true, assigned: ['tm_b', 'tm_a'], clinician: 'tm_c', directory: { tm_a: 'active', tm_b: 'active', tm_c: 'active' },
      expected: { outcome: 'activated', teamMemberIds: ['tm_b', 'tm_a'], staffedBy: 'assigned' },
    },
    {
      name: 'rule on, some assigned archived: only the active ones',
      autoActivate: true, assigned: ['tm_a', 'tm_b'], clinician: null, directory: { tm_a: 'archived', tm_b: 'active' },
      expected: { outcome: 'activated', teamMemberIds: ['tm_b'], staffedBy: 'assigned' },
    },
    {
      name: 'rule on, some assigned missing from the directory: only the known active ones',
      autoActivate: true, assigned: ['tm_gone', 'tm_b'], clinician: null, directory: { tm_b: 'active' },
      expected: { outcome: 'activated', teamMemberIds: ['tm_b'], staffedBy: 'assigned' },
    },
    {
      name: 'rule on, an assigned id listed twice: once',
      autoActivate: true, assigned: ['tm_a', 'tm_a'], clinician: null, directory: { tm_a: 'active' },
      expected: { outcome: 'activated', teamMemberIds: ['tm_a'], staffedBy: 'assigned' },
    },
    {
      name: 'rule on, all assigned archived, clinician active: the clinician',
      autoActivate: true, assigned: ['tm_a'], clinician: 'tm_c', directory: { tm_a: 'archived', tm_c: 'active' },
      expected: { outcome: 'activated', teamMemberIds: ['tm_c'], staffedBy: 'allocation_clinician' },
    },
    {
      name: 'rule on, nobody assigned, clinician active: the clinician',
      autoActivate: true, assigned: [], clinician: 'tm_c', directory: { tm_c: 'active' },
      expected: { outcome: 'activated', teamMemberIds: ['tm_c'], staffedBy: 'allocation_clinician' },
    },
    {
      name: 'rule on, assigned missing, clinician archived: needs staffing (clinician known)',
      autoActivate: true, assigned: ['tm_gone'], clinician: 'tm_c', directory: { tm_c: 'archived' },
      expected: { outcome: 'needs_staffing', clinicianNotYetKnown: false },
    },
    {
      name: 'rule on, nobody assigned, no clinician: needs staffing',
      autoActivate: true, assigned: [], clinician: null, directory: {},
      expected: { outcome: 'needs_staffing', clinicianNotYetKnown: false },
    },
    {
      name: 'rule on, nobody assigned, clinician unknown to the directory: not active, needs staffing, flagged as not yet known',
      autoActivate: true, assigned: [], clinician: 'tm_late', directory: {},
      expected: { outcome: 'needs_staffing', clinicianNotYetKnown: true },
    },
    {
      name: 'rule on, an active assigned member wins over an unknown clinician (no waiting for them)',
      autoActivate: true, assigned: ['tm_a'], clinician: 'tm_late', directory: { tm_a: 'active' },
      expected: { outcome: 'activated', teamMemberIds: ['tm_a'], staffedBy: 'assigned' },
    },
    {
      name: 'rule on, the clinician is also assigned and active: assigned (listed once)',
      autoActivate: true, assigned: ['tm_c'], clinician: 'tm_c', directory: { tm_c: 'active' },
      expected: { outcome: 'activated', teamMemberIds: ['tm_c'], staffedBy: 'assigned' },
    },
  ];

  it.each(cases)('$name', ({ autoActivate, assigned, clinician, directory, expected }) => {
    expect(
      evaluateActivationRule({ rule: { autoActivate, teamMemberIds: assigned }, patient: { allocationClinicianId: clinician }, teamMembers: dir(directory) }),
    ).toEqual(expected);
  });
});
