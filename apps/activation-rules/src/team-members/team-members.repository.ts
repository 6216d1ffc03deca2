import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '@wellifiy/persistence';
import { TEAM_MEMBER_MODEL, TeamMemberDoc } from './team-member.schema';

export abstract class TeamMembersRepository {
  abstract insertIfAbsent(orgId: string, teamMemberId: string): Promise<void>;
  /** false when the team member is unknown (yet). */
  abstract markArchived(orgId: string, teamMemberId: string): Promise<boolean>;
  /** Of the given ids, those that exist in the organisation and are not archived. */
  abstract activeAmong(orgId: string, teamMemberIds: string[]): Promise<string[]>;
  /** Of the given ids, those known in the organisation, with their status; unknown ids are left out. */
  abstract statusesOf(orgId: string, teamMemberIds: string[]): Promise<TeamMemberStatus[]>;
}

export interface TeamMemberStatus {
  teamMemberId: string;
  archived: boolean;
}

@Injectable()
export class MongoTeamMembersRepository extends TeamMembersRepository {
  constructor(@InjectModel(TEAM_MEMBER_MODEL) private readonly teamMembers: Model<TeamMemberDoc>) {
    super();
  }

  async insertIfAbsent(orgId: string, teamMemberId: string): Promise<void> {
    try {
      await this.teamMembers.updateOne(
        { orgId, teamMemberId },
        { $setOnInsert: { orgId, teamMemberId, archived: false, updatedAt: new Date() } },
        { upsert: true },
      );
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async markArchived(orgId: string, teamMemberId: string): Promise<boolean> {
    const res = await this.teamMembers.updateOne({ orgId, teamMemberId }, { $set: { archived: true, updatedAt: new Date() } });
    return res.matchedCount === 1;
  }

  async activeAmong(orgId: string, teamMemberIds: string[]): Promise<string[]> {
    if (!teamMemberIds.length) return [];
    const docs = await this.teamMembers
      .find({ orgId, teamMemberId: { $in: teamMemberIds }, archived: false })
      .select({ teamMemberId: 1 })
      .lean<{ teamMemberId: string }[]>();
    const active = new Set(docs.map((d) => d.teamMemberId));
    return teamMemberIds.filter((id) => active.has(id));
  }

  async statusesOf(orgId: string, teamMemberIds: string[]): Promise<TeamMemberStatus[]> {
    if (!teamMemberIds.length) return [];
    const docs = await this.teamMembers
      .find({ orgId, teamMemberId: { $in: teamMemberIds } })
      .select({ _id: 0, teamMemberId: 1, archived: 1 })
      .lean<TeamMemberStatus[]>();
    return docs.map((d) => ({ teamMemberId: d.teamMemberId, archived: d.archived === true }));
  }
}
