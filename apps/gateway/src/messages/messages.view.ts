import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MESSAGE_CHANGED_BY, MessageChangedBy, USER_KINDS, UserKind } from '@wellifiy/contracts';
import type * as Contracts from '@wellifiy/contracts';

/* Response bodies of the message routes for the OpenAPI document; each `implements` its contract type. */

export class ReactionSummaryView implements Contracts.ReactionSummary {
  @ApiProperty()
  emoji!: string;

  @ApiProperty({ minimum: 1 })
  count!: number;

  @ApiPropertyOptional({ description: 'The caller reacted with this emoji' })
  me?: boolean;
}

export class LinkPreviewView implements Contracts.LinkPreview {
  @ApiProperty()
  url!: string;

  @ApiPropertyOptional()
  title?: string;

  @ApiPropertyOptional()
  description?: string;

  @ApiPropertyOptional()
  imageUrl?: string;

  @ApiPropertyOptional()
  siteName?: string;
}

export class MessageView implements Contracts.MessageView {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  channelId!: string;

  @ApiProperty({ minimum: 1, description: 'Per-channel, strictly increasing' })
  seq!: number;

  @ApiProperty()
  senderId!: string;

  @ApiProperty({ enum: USER_KINDS })
  senderKind!: UserKind;

  @ApiProperty()
  clientMessageId!: string;

  @ApiProperty({ description: 'Empty on a deleted message' })
  body!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Replies: the root message' })
  threadId?: string | null;

  @ApiPropertyOptional({ minimum: 0, description: 'Thread roots: replies so far' })
  replyCount?: number;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  lastReplyAt?: string | null;

  @ApiPropertyOptional({ type: [ReactionSummaryView] })
  reactions?: ReactionSummaryView[];

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  editedAt?: string | null;

  @ApiPropertyOptional({ enum: MESSAGE_CHANGED_BY, nullable: true })
  editedBy?: MessageChangedBy | null;

  @ApiPropertyOptional()
  deleted?: boolean;

  @ApiPropertyOptional({ enum: MESSAGE_CHANGED_BY, nullable: true })
  deletedBy?: MessageChangedBy | null;

  @ApiPropertyOptional({ type: [String], description: 'Media ids (GET /v1/media/{id})' })
  attachments?: string[];

  @ApiPropertyOptional({ type: LinkPreviewView, nullable: true })
  linkPreview?: LinkPreviewView | null;
}

export class MessagePageView implements Contracts.MessagePage {
  @ApiProperty({ type: [MessageView] })
  messages!: MessageView[];

  @ApiProperty({ description: 'More messages exist beyond this page in the direction of travel' })
  hasMore!: boolean;
}
