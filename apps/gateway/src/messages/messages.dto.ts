import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MESSAGE_ATTACHMENTS_MAX, MESSAGE_BODY_MAX_LENGTH, MESSAGE_PAGE_MAX } from '@wellifiy/contracts';
import type { ListMessagesQueryParams, SendMessageBody } from '@wellifiy/contracts';

export class SendMessageDto implements SendMessageBody {
  @ApiProperty({ description: 'Client-chosen id; retrying with the same id returns the original message', maxLength: 128 })
  @IsString() @MinLength(1) @MaxLength(128) @Matches(/^[A-Za-z0-9._:-]+$/, { message: 'clientMessageId may contain letters, digits and . _ : - only' })
  clientMessageId!: string;

  @ApiProperty({ maxLength: MESSAGE_BODY_MAX_LENGTH })
  @IsString() @MaxLength(MESSAGE_BODY_MAX_LENGTH, { message: `body must be at most ${MESSAGE_BODY_MAX_LENGTH} characters` })
  @Matches(/\S/, { message: 'body must not be empty' })
  body!: string;

  @ApiPropertyOptional({ description: 'Media ids from POST /v1/media (your own uploads); the channel members can then read them', maxItems: MESSAGE_ATTACHMENTS_MAX })
  @IsOptional() @IsArray() @ArrayMaxSize(MESSAGE_ATTACHMENTS_MAX) @IsString({ each: true }) @Matches(/^[A-Za-z0-9_-]{1,128}$/, { each: true, message: 'attachments must be media ids' })
  attachments?: string[];
}

export class ListMessagesQuery implements ListMessagesQueryParams {
  @ApiPropertyOptional({ description: 'Only messages with seq greater than this (catch-up after reconnect)' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  after?: number;

  @ApiPropertyOptional({ description: 'Only messages with seq lower than this (scrolling back)' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1)
  before?: number;

  @ApiPropertyOptional({ maximum: MESSAGE_PAGE_MAX, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MESSAGE_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({ description: 'true: thread roots only (replies left out). Default: every message, replies included, so catch-up by seq is exact' })
  @IsOptional() @IsIn(['true', 'false'], { message: 'roots must be true or false' })
  roots?: 'true' | 'false';
}
