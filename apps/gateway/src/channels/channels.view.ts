import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNEL_TYPES, ChannelType, USER_KINDS, UserKind } from '@wellifiy/contracts';
import type * as Contracts from '@wellifiy/contracts';

/*
 * Response bodies of the channel routes as classes for the OpenAPI document. Each `implements` the contract
 * interface the services answer with, so a field added there and not here fails the type-check.
 */

export class ChannelMemberRefView implements Contracts.ChannelMemberRef {
  @ApiProperty()
  userId!: string;

  @ApiProperty({ enum: USER_KINDS })
  kind!: UserKind;
}

export class ChannelView implements Contracts.ChannelView {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  orgId!: string;

  @ApiProperty({ enum: CHANNEL_TYPES })
  type!: ChannelType;

  @ApiProperty({ type: String, nullable: true, description: 'The patient of a care_team, service_team or staff channel' })
  patientId!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Group channels only' })
  name!: string | null;

  @ApiProperty({ description: 'No team member is left and no fallback was found' })
  needsStaffing!: boolean;

  @ApiProperty({ type: [ChannelMemberRefView] })
  members!: ChannelMemberRefView[];

  @ApiProperty({ description: 'Archived by the caller (per user)' })
  archived!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class ChannelListItemView extends ChannelView implements Contracts.ChannelListItem {
  @ApiProperty({ type: Number, nullable: true, description: 'null when the notifications service could not answer' })
  unreadCount!: number | null;
}

export class RealNameView {
  @ApiProperty()
  firstName!: string;

  @ApiProperty()
  lastName!: string;
}

export class ChannelMemberView implements Contracts.ChannelMemberView {
  @ApiProperty()
  userId!: string;

  @ApiProperty({ enum: USER_KINDS })
  kind!: UserKind;

  @ApiProperty()
  displayName!: string;

  @ApiPropertyOptional({ type: RealNameView, description: "Only for team-member viewers: a patient's real name" })
  realName?: RealNameView;

  @ApiProperty({ type: String, nullable: true })
  title!: string | null;

  @ApiProperty({ type: String, nullable: true })
  avatarMediaId!: string | null;

  @ApiProperty({ format: 'date-time' })
  joinedAt!: string;
}

export class LeftView {
  @ApiProperty({ enum: [true] })
  left!: true;
}

/** One page of the audit trail, newest first; `nextCursor` is null on the last page. */
export class AuditPageView implements Contracts.AuditPage {
  @ApiProperty({ type: () => [AuditEntryView] })
  entries!: AuditEntryView[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass back as `cursor` for the next page' })
  nextCursor!: string | null;
}

export class AuditEntryView implements Contracts.AuditEntryView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ format: 'date-time' })
  at!: string;

  @ApiProperty()
  actorId!: string;

  @ApiProperty()
  action!: string;

  @ApiProperty({ type: String, nullable: true })
  channelId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  patientId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  targetUserId!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'the message a send, edit, delete, reaction, thread or versions read was about' })
  messageId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  mediaId!: string | null;

  @ApiProperty({ type: Number, nullable: true, description: "the seq range a read returned, or the one message's seq" })
  fromSeq!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  toSeq!: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'why (a membership change or a moderation reason)' })
  reason!: string | null;
}
