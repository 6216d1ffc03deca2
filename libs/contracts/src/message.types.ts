import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, Min, MinLength, ValidateNested } from 'class-validator';
import { USER_KINDS, UserKind } from './identity';

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

  /** Media ids (GET /v1/media/:id); readable by the channel's members once posted. */
  @IsOptional() @IsArray() @IsString({ each: true })
  attachments?: string[];

  /** Set by message.updated once the link preview job has fetched it. */
  @IsOptional() @ValidateNested() @Type(() => LinkPreview)
  linkPreview?: LinkPreview | null;
}
