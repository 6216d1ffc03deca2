import { ChannelType } from '@wellifiy/contracts';
import { OutboxEntry } from '@wellifiy/messaging';
import {
  DirectoryRepository, Patient, PatientFields, PatientProfile, TeamMember, TeamMemberFields,
} from '../directory/directory.repository';
import { Channel } from './channel.mapper';
import { ChannelFilter, ChannelMutation, ChannelsRepository } from './channels.repository';

/* Test doubles for the channels service's repositories (used by unit tests only; not built into dist/). */

/** In-memory channels store: every lookup filters by organisation, like the real repository. */
export class FakeChannelsRepository extends ChannelsRepository {
  readonly channels: Channel[] = [];
  readonly outbox: OutboxEntry[] = [];
  /** Runs just before an insert is applied: lets a test play a concurrent activation. */
  beforeInsert?: () => void;

  async insert(channel: Channel, events: OutboxEntry[]): Promise<Channel | null> {
    this.beforeInsert?.();
    if (this.channels.some((c) => c.orgId === channel.orgId && c.uniqueKey === channel.uniqueKey)) return null;
    this.channels.push(structuredClone(channel));
    this.outbox.push(...events);
    return structuredClone(channel);
  }

  async findByUniqueKey(orgId: string, uniqueKey: string): Promise<Channel | null> {
    return this.copy(this.channels.find((c) => c.orgId === orgId && c.uniqueKey === uniqueKey));
  }

  async findForMember(orgId: string, channelId: string, userId: string): Promise<Channel | null> {
    return this.copy(this.channels.find((c) => c.orgId === orgId && c._id === channelId && c.memberIds.includes(userId)));
  }

  async findById(orgId: string, channelId: string): Promise<Channel | null> {
    return this.copy(this.channels.find((c) => c.orgId === orgId && c._id === channelId));
  }

  async listForMember(orgId: string, userId: string, filter: ChannelFilter): Promise<Channel[]> {
    return this.channels
      .filter((c) => c.orgId === orgId && c.memberIds.includes(userId))
      .filter((c) => !filter.type || c.type === filter.type)
      .filter((c) => !filter.patientId || c.patientId === filter.patientId)
      .map((c) => structuredClone(c));
  }

  async listIdsForMember(orgId: string, userId: string): Promise<string[]> {
    return this.channels.filter((c) => c.orgId === orgId && c.memberIds.includes(userId)).map((c) => c._id);
  }

  async update(orgId: string, channelId: string, mutate: ChannelMutation): Promise<Channel | null> {
    const i = this.channels.findIndex((c) => c.orgId === orgId && c._id === channelId);
    if (i < 0) return null;
    const change = mutate(structuredClone(this.channels[i]));
    if (!change) return structuredClone(this.channels[i]);
    this.channels[i] = structuredClone(change.next);
    this.outbox.push(...change.events);
    return structuredClone(change.next);
  }

  async pageWithMember(orgId: string, userId: string, limit: number): Promise<Channel[]> {
    return this.channels.filter((c) => c.orgId === orgId && c.memberIds.includes(userId)).slice(0, limit).map((c) => structuredClone(c));
  }

  async listNeedingStaff(orgId: string): Promise<Channel[]> {
    return this.channels.filter((c) => c.orgId === orgId && c.needsStaffing).map((c) => structuredClone(c));
  }

  async listLinkedToPatient(orgId: string, patientId: string): Promise<Channel[]> {
    return this.channels.filter((c) => c.orgId === orgId && c.patientId === patientId).map((c) => structuredClone(c));
  }

  private copy(c: Channel | undefined): Channel | null {
    return c ? structuredClone(c) : null;
  }
}

export class FakeDirectoryRepository extends DirectoryRepository {
  readonly patients: Patient[] = [];
  readonly teamMembers: TeamMember[] = [];

  async insertPatientIfAbsent(orgId: string, patientId: string, fields: PatientFields): Promise<void> {
    if (!this.patients.some((p) => p.orgId === orgId && p.patientId === patientId)) {
      this.patients.push({ orgId, patientId, ...fields, displayName: null, avatarMediaId: null, updatedAt: new Date() });
    }
  }
  async updatePatient(orgId: string, patientId: string, fields: Partial<PatientFields & PatientProfile>): Promise<boolean> {
    const p = this.patients.find((x) => x.orgId === orgId && x.patientId === patientId);
    if (!p) return false;
    Object.assign(p, fields);
    return true;
  }
  async findPatients(orgId: string, ids: string[]): Promise<Patient[]> {
    return this.patients.filter((p) => p.orgId === orgId && ids.includes(p.patientId));
  }
  async findTeamMembers(orgId: string, ids: string[]): Promise<TeamMember[]> {
    return this.teamMembers.filter((t) => t.orgId === orgId && ids.includes(t.teamMemberId));
  }
  async findPatient(orgId: string, patientId: string): Promise<Patient | null> {
    return this.patients.find((p) => p.orgId === orgId && p.patientId === patientId) ?? null;
  }
  async insertTeamMemberIfAbsent(orgId: string, teamMemberId: string, fields: TeamMemberFields): Promise<void> {
    if (!this.teamMembers.some((t) => t.orgId === orgId && t.teamMemberId === teamMemberId)) {
      this.teamMembers.push({ orgId, teamMemberId, ...fields, archived: false, updatedAt: new Date() });
    }
  }
  async updateTeamMember(orgId: string, teamMemberId: string, fields: Partial<TeamMemberFields & { archived: boolean }>): Promise<boolean> {
    const t = this.teamMembers.find((x) => x.orgId === orgId && x.teamMemberId === teamMemberId);
    if (!t) return false;
    Object.assign(t, fields);
    return true;
  }
  async findTeamMember(orgId: string, teamMemberId: string): Promise<TeamMember | null> {
    return this.teamMembers.find((t) => t.orgId === orgId && t.teamMemberId === teamMemberId) ?? null;
  }
}

export const T0 = new Date('2026-01-01T00:00:00.000Z');

/** A stored channel; members given as [userId, kind] pairs. */
export function channelFixture(p: {
  id: string;
  type: ChannelType;
  members: [string, 'patient' | 'team_member'][];
  orgId?: string;
  patientId?: string | null;
  archivedBy?: string[];
}): Channel {
  const patientId = p.patientId === undefined ? null : p.patientId;
  return {
    _id: p.id,
    orgId: p.orgId ?? 'org_1',
    type: p.type,
    patientId,
    name: null,
    uniqueKey: (p.type === 'care_team' || p.type === 'service_team') && patientId ? `${p.type}:${patientId}` : p.id,
    members: p.members.map(([userId, kind]) => ({ userId, kind, joinedAt: T0, addedBy: 'tm_1' })),
    memberIds: p.members.map(([userId]) => userId),
    archivedBy: p.archivedBy ?? [],
    needsStaffing: false,
    createdBy: 'tm_1',
    createdAt: T0,
    updatedAt: T0,
    version: 1,
  };
}

