import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { CHANGE_REASON_MAX_LENGTH, MESSAGE_BODY_MAX_LENGTH, MESSAGE_PAGE_MAX, REACTION_MAX_LENGTH } from '@wellifiy/contracts';
import type { DeleteMessageQueryParams, EditMessageBody, ListRepliesQueryParams, ReplyBody } from '@wellifiy/contracts';

export class MessageParams {
  @ApiProperty({ description: 'Channel id' })
  @IsString() @MinLength(1) @MaxLength(128)
  id!: string;

  @ApiProperty({ description: 'Message id' })
  @IsString() @MinLength(1) @MaxLength(128)
  messageId!: string;
}

export class ReactionParams extends MessageParams {
  @ApiProperty({ description: 'One emoji (URL-encoded), or a name such as like, love, laugh, wow, sad, thanks' })
  @IsString() @MinLength(1) @MaxLength(REACTION_MAX_LENGTH)
  emoji!: string;
}

export class ReplyDto implements ReplyBody {
  @ApiProperty({ description: 'Client-chosen id; retrying with the same id returns the original reply', maxLength: 128 })
  @IsString() @MinLength(1) @MaxLength(128) @Matches(/^[A-Za-z0-9._:-]+$/, { message: 'clientMessageId may contain letters, digits and . _ : - only' })
  clientMessageId!: string;

  @ApiProperty({ maxLength: MESSAGE_BODY_MAX_LENGTH })
  @IsString() @MaxLength(MESSAGE_BODY_MAX_LENGTH, { message: `body must be at most ${MESSAGE_BODY_MAX_LENGTH} characters` })
  @Matches(/\S/, { message: 'body must not be empty' })
  body!: string;
}

export class ListRepliesQuery implements ListRepliesQueryParams {
  @ApiPropertyOptional({ description: 'Only replies with seq greater than this' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  after?: number;

  @ApiPropertyOptional({ maximum: MESSAGE_PAGE_MAX, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MESSAGE_PAGE_MAX)
  limit?: number;
}

export class EditMessageDto implements EditMessageBody {
  @ApiProperty({ maxLength: MESSAGE_BODY_MAX_LENGTH })
  @IsString() @MaxLength(MESSAGE_BODY_MAX_LENGTH, { message: `body must be at most ${MESSAGE_BODY_MAX_LENGTH} characters` })
  @Matches(/\S/, { message: 'body must not be empty' })
  body!: string;

  @ApiPropertyOptional({ description: "Required when editing someone else's message (messaging:manage)", maxLength: CHANGE_REASON_MAX_LENGTH })
  @IsOptional() @IsString() @MaxLength(CHANGE_REASON_MAX_LENGTH) @Matches(/\S/, { message: 'reason must not be empty' })
  reason?: string;
}

export class DeleteMessageQuery implements DeleteMessageQueryParams {
  @ApiPropertyOptional({ description: "Required when deleting someone else's message (messaging:manage)", maxLength: CHANGE_REASON_MAX_LENGTH })
  @IsOptional() @IsString() @MaxLength(CHANGE_REASON_MAX_LENGTH) @Matches(/\S/, { message: 'reason must not be empty' })
  reason?: string;
}
