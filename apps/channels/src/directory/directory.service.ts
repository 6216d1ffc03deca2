import { Injectable } from '@nestjs/common';
import {
  Actor, DomainError, ErrorCode, MeView, PatientCreatedData, PatientUpdatedData, TeamMemberArchivedData, TeamMemberCreatedData, TeamMemberUpdatedData,
} from '@wellifiy/contracts';
import { DirectoryRepository, Patient, TeamMember } from './directory.repository';

/** Thrown when an update names someone whose creation event has not arrived yet: retried with backoff. */
export class NotYetKnownError extends Error {
  constructor(what: string) {
    super(`${what} is not known yet (its created event has not been processed)`);
    this.name = 'NotYetKnownError';
  }
}

/**
 * An archived team member cannot be added to any channel; the refusal names them and says why, with its own
 * code so a client does not mistake it for "you yourself are archived" (TEAM_MEMBER_ARCHIVED).
 */
export function archivedRefusal(teamMemberIds: string[]): DomainError {
  return new DomainError(
    ErrorCode.CannotAddArchivedMember,
    `archived by the staff directory, so they cannot be added to channels: ${teamMemberIds.join(', ')}`,
    { userIds: teamMemberIds },
  );
}

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

@Injectable()
export class DirectoryService {
  constructor(private readonly repo: DirectoryRepository) {}

  async patientCreated(orgId: string, d: PatientCreatedData): Promise<void> {
    await this.repo.insertPatientIfAbsent(orgId, d.patientId, {
      firstName: d.firstName,
      lastName: d.lastName,
      email: d.email ?? null,
      allocationClinicianId: d.allocationClinicianId ?? null,
    });
  }

  async patientUpdated(orgId: string, d: PatientUpdatedData): Promise<void> {
    const { patientId, ...fields } = d;
    const found = await this.repo.updatePatient(orgId, patientId, defined(fields));
    if (!found) throw new NotYetKnownError(`patient ${patientId}`);
  }

  async teamMemberCreated(orgId: string, d: TeamMemberCreatedData): Promise<void> {
    await this.repo.insertTeamMemberIfAbsent(orgId, d.teamMemberId, {
      firstName: d.firstName,
      lastName: d.lastName,
      email: d.email ?? null,
      title: d.title ?? null,
    });
  }

  async teamMemberUpdated(orgId: string, d: TeamMemberUpdatedData): Promise<void> {
    const { teamMemberId, ...fields } = d;
    const found = await this.repo.updateTeamMember(orgId, teamMemberId, defined(fields));
    if (!found) throw new NotYetKnownError(`team member ${teamMemberId}`);
  }

  async teamMemberArchived(orgId: string, d: TeamMemberArchivedData): Promise<void> {
    const found = await this.repo.updateTeamMember(orgId, d.teamMemberId, { archived: true });
    if (!found) throw new NotYetKnownError(`team member ${d.teamMemberId}`);
  }

  findPatient(orgId: string, patientId: string): Promise<Patient | null> {
    return this.repo.findPatient(orgId, patientId);
  }

  findTeamMember(orgId: string, teamMemberId: string): Promise<TeamMember | null> {
    return this.repo.findTeamMember(orgId, teamMemberId);
  }

  findPatients(orgId: string, patientIds: string[]): Promise<Patient[]> {
    return this.repo.findPatients(orgId, patientIds);
  }

  findTeamMembers(orgId: string, teamMemberIds: string[]): Promise<TeamMember[]> {
    return this.repo.findTeamMembers(orgId, teamMemberIds);
  }

  /**
   * A patient sets the display name and avatar other patients see (rule 9); null resets to the default
   * (first name, no avatar). Team members' names come from the staff directory.
   */
  async updateProfile(actor: Actor, profile: { displayName?: string | null; avatarMediaId?: string | null }): Promise<MeView> {
    if (actor.kind !== 'patient') throw new DomainError(ErrorCode.Forbidden, "team members' names come from the staff directory");
    const changes = defined({
      displayName: profile.displayName === undefined ? undefined : (profile.displayName?.trim() || null),
      avatarMediaId: profile.avatarMediaId,
    });
    if (Object.keys(changes).length && !(await this.repo.updatePatient(actor.orgId, actor.userId, changes))) {
      throw new DomainError(ErrorCode.NotFound, 'your patient record is not known yet; try again shortly');
    }
    return this.me(actor);
  }

  /** The caller's own profile. A user the directory has not heard of yet still gets their identity. */
  async me(actor: Actor): Promise<MeView> {
    const base = { userId: actor.userId, orgId: actor.orgId, kind: actor.kind, perms: actor.perms };
    if (actor.kind === 'patient') {
      const p = await this.repo.findPatient(actor.orgId, actor.userId);
      return {
        ...base,
        firstName: p?.firstName ?? null,
        lastName: p?.lastName ?? null,
        displayName: p ? (p.displayName ?? p.firstName) : null,
        avatarMediaId: p?.avatarMediaId ?? null,
      };
    }
    const t = await this.repo.findTeamMember(actor.orgId, actor.userId);
    return {
      ...base,
      firstName: t?.firstName ?? null,
      lastName: t?.lastName ?? null,
      displayName: t ? `${t.firstName} ${t.lastName}` : null,
      avatarMediaId: null,
    };
  }
}
