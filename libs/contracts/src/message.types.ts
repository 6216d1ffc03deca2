import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Min, MinLength, ValidateNested } from 'class-validator';
import { USER_KINDS, UserKind } from './identity';
import { MESSAGE_CHANGED_BY, MessageChangedBy, ReactionSummary } from './reactions';

export const MESSAGE_BODY_MAX_LENGTH = 10_000;
/** Media ids a message may carry (POST /v1/media first). */
export const MESSAGE_ATTACHMENTS_MAX = 10;

/** A server-side preview of the first web link in a message body (DESIGN §3). */
export class LinkPreview {
  @IsString()
  url!: string;

  @IsOptional() @IsString()
  title?: string;

  @IsOptional() @IsString()
  description?: string;

  @IsOptional() @IsString()
  imageUrl?: string;

  @IsOptional() @IsString()
  siteName?: string;
}

export class MessageView {
  @IsString() @MinLength(1)
  id!: string;

  @IsString() @MinLength(1)
  channelId!: string;

  @IsInt() @Min(1)
  seq!: number;

  @IsString() @MinLength(1)
  senderId!: string;

  @IsIn(USER_KINDS)
  senderKind!: UserKind;

  @IsString() @MinLength(1)
  clientMessageId!: string;

  @IsString()
  body!: string;

  @IsISO8601()
  createdAt!: string;

  @IsOptional() @IsString()
  threadId?: string | null;

  /** Thread roots: replies so far and when the last one came (absent on replies). */
  @IsOptional() @IsInt() @Min(0)
  replyCount?: number;

  @IsOptional() @IsISO8601()
  lastReplyAt?: string | null;

  /** Counts per emoji; `me` is set when the message is rendered for one viewer. */
  @IsOptional() @ValidateNested({ each: true }) @Type(() => ReactionSummary)
  reactions?: ReactionSummary[];

  @IsOptional() @IsISO8601()
  editedAt?: string | null;

  /** "edited by staff" when someone with messaging:manage edited another's message. */
  @IsOptional() @IsIn(MESSAGE_CHANGED_BY)
  editedBy?: MessageChangedBy | null;

  /** Tombstone: the body is withheld (empty) from clients; the content is retained, encrypted. */
  @IsOptional() @IsBoolean()
  deleted?: boolean;

  @IsOptional() @IsIn(MESSAGE_CHANGED_BY)
  deletedBy?: MessageChangedBy | null;

  /** Media ids (GET /v1/media/:id); readable by the channel's members once posted. */
  @IsOptional() @IsArray() @IsString({ each: true })
  attachments?: string[];

  /** Set by message.updated once the link preview job has fetched it. */
  @IsOptional() @ValidateNested() @Type(() => LinkPreview)
  linkPreview?: LinkPreview | null;
}
