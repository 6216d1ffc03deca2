import { Schema } from 'mongoose';
import { CHANNEL_TYPES, ChannelType, USER_KINDS, UserKind } from '@wellifiy/contracts';

/** This service's projection of channel membership, fed by the channels service's events. */
export interface ChannelProjectionDoc {
  _id: string;
  orgId: string;
  type: ChannelType;
  /** The patient the channel is linked to (care, service, staff-linked); its content is sealed under their key. */
  patientId?: string | null;
  members: { userId: string; kind: UserKind }[];
  memberIds: string[];
  version: number;
}

export const ChannelProjectionSchema = new Schema<ChannelProjectionDoc>(
  {
    _id: { type: String, required: true },
    orgId: { type: String, required: true },
    type: { type: String, enum: CHANNEL_TYPES, required: true },
    patientId: { type: String, default: null },
    members: { type: [{ userId: String, kind: { type: String, enum: USER_KINDS }, _id: false }], default: [] },
    memberIds: { type: [String], default: [] },
    version: { type: Number, required: true },
  },
  { collection: 'channels', versionKey: false },
);
// Lookups are by _id (channel id) plus orgId, served by the _id index.
// serves: whether two users share a channel ({ orgId, memberIds: a, memberIds: b }, avatar access)
ChannelProjectionSchema.index({ orgId: 1, memberIds: 1 });
// serves: a patient's channels, for legal holds and erasure ({ orgId, patientId })
ChannelProjectionSchema.index({ orgId: 1, patientId: 1 });

export const CHANNEL_PROJECTION_MODEL = 'ChannelProjection';
