import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Min, MinLength } from 'class-validator';
import { USER_KINDS, UserKind } from './identity';

export const MESSAGE_BODY_MAX_LENGTH = 10_000;

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
}
