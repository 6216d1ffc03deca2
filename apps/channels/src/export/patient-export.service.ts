import { Injectable } from '@nestjs/common';
import {
  Actor, DomainError, ErrorCode, ExportChannel, ExportPerson, hasPermission, PATIENT_EXPORTED_ACTION, PatientExportScope, Permission, UserKind,
} from '@wellifiy/contracts';
import { newId } from '@wellifiy/persistence';
import { AuditRepository } from '../audit/audit.repository';
import { Channel } from '../channels/channel.mapper';
import { ChannelsRepository } from '../channels/channels.repository';
import { DirectoryRepository } from '../directory/directory.repository';

export interface ExportScopeInput {
  actor: Actor;
  patientId: string;
  includeStaff?: boolean;
}

/**
 * What a patient's chart export covers (docs/fhir-export.md): their care-team, service-team and group channels, the
 * staff channels about them only when asked, and the real names of the people in them. For compliance officers
 * (audit:read); the export is recorded in the audit trail before anything of it is answered.
 */
@Injectable()
export class PatientExportService {
  constructor(
    private readonly channels: ChannelsRepository,
    private readonly directory: DirectoryRepository,
    private readonly audit: AuditRepository,
  ) {}

  async scope({ actor, patientId, includeStaff }: ExportScopeInput): Promise<PatientExportScope> {
    requireAuditRead(actor);
    const patient = await this.directory.findPatient(actor.orgId, patientId);
    if (!patient) throw new DomainError(ErrorCode.NotFound, `patient ${patientId} not found`);

    const linked = await this.channels.listLinkedToPatient(actor.orgId, patientId);
    const groups = await this.channels.listForMember(actor.orgId, patientId, { type: 'group' });
    const chosen = [...linked.filter((c) => c.type !== 'staff' || includeStaff === true), ...groups]
      // dm channels never have a patient; a channel found both ways is exported once
      .filter((c, i, all) => c.type !== 'dm' && all.findIndex((o) => o._id === c._id) === i)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a._id.localeCompare(b._id));

    const members = chosen.flatMap((c) => c.members.map((m) => ({ kind: m.kind, userId: m.userId })));
    const people = await this.people(actor.orgId, [{ kind: 'patient', userId: patientId }, ...members]);

    const exportedAt = new Date();
    await this.audit.append({
      _id: newId('aud'), orgId: actor.orgId, at: exportedAt, actorId: actor.userId, action: PATIENT_EXPORTED_ACTION,
      channelId: null, patientId, targetUserId: patientId, reason: null,
    });
    return {
      patient: { userId: patientId, kind: 'patient', firstName: patient.firstName, lastName: patient.lastName, displayName: patient.displayName ?? patient.firstName },
      channels: chosen.map(toExportChannel),
      people,
      exportedAt: exportedAt.toISOString(),
    };
  }

  /** Real names of people the export mentions (senders who have left their channel since); unknown ids are left out. */
  async people(orgId: string, refs: { kind: UserKind; userId: string }[]): Promise<ExportPerson[]> {
    const patientIds = [...new Set(refs.filter((r) => r.kind === 'patient').map((r) => r.userId))];
    const teamIds = [...new Set(refs.filter((r) => r.kind === 'team_member').map((r) => r.userId))];
    const [patients, team] = await Promise.all([
      patientIds.length ? this.directory.findPatients(orgId, patientIds) : [],
      teamIds.length ? this.directory.findTeamMembers(orgId, teamIds) : [],
    ]);
    return [
      ...patients.map((p): ExportPerson => ({ userId: p.patientId, kind: 'patient', firstName: p.firstName, lastName: p.lastName, displayName: p.displayName ?? p.firstName })),
      ...team.map((t): ExportPerson => ({ userId: t.teamMemberId, kind: 'team_member', firstName: t.firstName, lastName: t.lastName, displayName: null })),
    ];
  }

  /** People by id alone, whichever kind they are (a page's senders), for a compliance officer. */
  async lookup(actor: Actor, userIds: string[]): Promise<ExportPerson[]> {
    requireAuditRead(actor);
    return this.people(actor.orgId, userIds.flatMap((userId) => [{ kind: 'patient' as const, userId }, { kind: 'team_member' as const, userId }]));
  }
}

function requireAuditRead(actor: Actor): void {
  if (!hasPermission(actor, Permission.AuditRead)) throw new DomainError(ErrorCode.Forbidden, "exporting a patient's conversations needs the audit:read permission");
}

function toExportChannel(c: Channel): ExportChannel {
  return {
    id: c._id,
    type: c.type,
    name: c.name,
    createdAt: c.createdAt.toISOString(),
    members: c.members.map((m) => ({ userId: m.userId, kind: m.kind, joinedAt: m.joinedAt.toISOString() })),
  };
}
