import { Schema } from 'mongoose';
import type { SealedBox } from '@wellifiy/crypto';
import { CHANNEL_TYPES, ChannelType, USER_KINDS, UserKind } from '@wellifiy/contracts';
import { outboxSchemaFields, WithOutbox } from '@wellifiy/messaging';

export interface ChannelMemberDoc {
  userId: string;
  kind: UserKind;
  joinedAt: Date;
  addedBy: string;
}

export interface ChannelDoc extends WithOutbox {
  _id: string;
  orgId: string;
  type: ChannelType;
  patientId: string | null;
  /**
   * What its creator called the channel (free text): sealed, bound to the channel (`channel:<id>:name`). A plain
   * string was stored before sealing existed and is sealed when the channel is next written.
   */
  name: SealedBox | string | null;
  /**
   * Enforces "one care_team and one service_team per patient" with a plain unique index
   * (no partial indexes on FerretDB): `care_team:<patientId>` for those, the channel id otherwise.
   */
  uniqueKey: string;
  members: ChannelMemberDoc[];
  /** Mirror of members[].userId for the multikey membership index. */
  memberIds: string[];
  /** Users who archived this channel for themselves. */
  archivedBy: string[];
  needsStaffing: boolean;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

const MemberSchema = new Schema<ChannelMemberDoc>(
  {
    userId: { type: String, required: true },
    kind: { type: String, enum: USER_KINDS, required: true },
    joinedAt: { type: Date, required: true },
    addedBy: { type: String, required: true },
  },
  { _id: false },
);

export const ChannelSchema = new Schema<ChannelDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    type: { type: String, enum: CHANNEL_TYPES, required: true },
    patientId: { type: String, default: null },
    name: { type: Object, default: null },
    uniqueKey: { type: String, required: true },
    members: { type: [MemberSchema], default: [] },
    memberIds: { type: [String], default: [] },
    archivedBy: { type: [String], default: [] },
    needsStaffing: { type: Boolean, default: false },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    version: { type: Number, required: true },
    ...outboxSchemaFields,
  },
  { collection: 'channels', versionKey: false },
);
// serves: "my channels" and every membership check (orgId + member)
ChannelSchema.index({ orgId: 1, memberIds: 1 });
// serves: one care_team / service_team per patient and one DM per member set, and finding them
ChannelSchema.index({ orgId: 1, uniqueKey: 1 }, { unique: true });
// serves: the channels linked to one patient, staff channels included (the chart export)
ChannelSchema.index({ orgId: 1, patientId: 1 });
// serves: the managers' list of channels left without a team member
ChannelSchema.index({ orgId: 1, needsStaffing: 1 });

export const CHANNEL_MODEL = 'Channel';
