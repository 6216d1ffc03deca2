import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested,
} from 'class-validator';
import { EMAIL_DELAY_MINUTES_MAX, EMAIL_FREQUENCIES, EmailFrequency, MUTED_CHANNELS_MAX, SEQ_MAX } from '@wellifiy/contracts';
import type { MarkReadBody, NotificationSettingsBody, PushSubscriptionBody } from '@wellifiy/contracts';

export class ChannelParams {
  @ApiProperty({ description: 'Channel id' })
  @IsString() @MinLength(1) @MaxLength(128)
  id!: string;
}

export class UserParams {
  @ApiProperty({ description: 'The patient (or user) whose settings these are' })
  @IsString() @MinLength(1) @MaxLength(128)
  userId!: string;
}

export class SubscriptionParams {
  @ApiProperty({ description: 'Push subscription id' })
  @IsString() @MinLength(1) @MaxLength(128)
  id!: string;
}

export class MarkReadDto implements MarkReadBody {
  @ApiProperty({ description: 'Seq of the newest message the user has seen; markers only move forward', minimum: 0 })
  @IsInt() @Min(0) @Max(SEQ_MAX)
  seq!: number;
}

export class NotificationSettingsDto implements NotificationSettingsBody {
  @ApiPropertyOptional({ enum: EMAIL_FREQUENCIES, description: 'Unread-message emails: never, a while after the first unread message, or once a day' })
  @IsOptional() @IsIn(EMAIL_FREQUENCIES)
  emailFrequency?: EmailFrequency;

  @ApiPropertyOptional({ minimum: 1, maximum: EMAIL_DELAY_MINUTES_MAX, description: 'For after_delay: minutes after the first unread message' })
  @IsOptional() @IsInt() @Min(1) @Max(EMAIL_DELAY_MINUTES_MAX)
  emailDelayMinutes?: number;

  @ApiPropertyOptional({ description: 'Push notifications on this account’s devices' })
  @IsOptional() @IsBoolean()
  pushEnabled?: boolean;

  @ApiPropertyOptional({ type: [String], description: 'Channels that neither notify nor count in the badge (replaces the list)' })
  @IsOptional() @IsArray() @ArrayMaxSize(MUTED_CHANNELS_MAX) @IsString({ each: true }) @MinLength(1, { each: true }) @MaxLength(128, { each: true })
  mutedChannelIds?: string[];
}

export class PushKeysDto {
  @ApiProperty({ description: 'P-256 ECDH public key of the subscription, base64url' })
  @IsString() @Matches(/^[A-Za-z0-9_-]{80,100}={0,2}$/, { message: 'keys.p256dh must be a base64url P-256 public key' })
  p256dh!: string;

  @ApiProperty({ description: '16-byte auth secret, base64url' })
  @IsString() @Matches(/^[A-Za-z0-9_-]{20,24}={0,2}$/, { message: 'keys.auth must be a base64url 16-byte secret' })
  auth!: string;
}

/** The browser's PushSubscription.toJSON() (expirationTime may be sent and is ignored). */
export class PushSubscriptionDto implements PushSubscriptionBody {
  @ApiProperty({ description: 'Push service URL of this device (https)' })
  @IsString() @MinLength(8) @MaxLength(2048)
  endpoint!: string;

  @ApiProperty({ type: PushKeysDto })
  @ValidateNested() @Type(() => PushKeysDto)
  keys!: PushKeysDto;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional() @IsInt()
  expirationTime?: number | null;
}
