import { Schema } from 'mongoose';

/** Which team members exist and are active: rules may only assign active team members of the organisation. */
export interface TeamMemberDoc {
  orgId: string;
  teamMemberId: string;
  archived: boolean;
  updatedAt: Date;
}

export const TeamMemberSchema = new Schema<TeamMemberDoc>(
  {
    orgId: { type: String, required: true },
    teamMemberId: { type: String, required: true },
    archived: { type: Boolean, default: false },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'team_members', versionKey: false },
);
// serves: validating assigned team members (orgId + id) and checking their status at activation time
TeamMemberSchema.index({ orgId: 1, teamMemberId: 1 }, { unique: true });

export const TEAM_MEMBER_MODEL = 'TeamMember';
