import { ApiProperty } from '@nestjs/swagger';
import { EMAIL_FREQUENCIES, EmailFrequency, USER_KINDS, UserKind } from '@wellifiy/contracts';
import type * as Contracts from '@wellifiy/contracts';

/* Response bodies of the notifications routes for the OpenAPI document; each `implements` its contract type. */

export class MarkReadResultView implements Contracts.MarkReadResult {
  @ApiProperty()
  channelId!: string;

  @ApiProperty({ description: 'The marker after the call: the larger of the stored one and seq' })
  readSeq!: number;

  @ApiProperty()
  unread!: number;

  @ApiProperty({ description: 'The badge after the call' })
  total!: number;
}

export class ReadReceiptView implements Contracts.ReadReceipt {
  @ApiProperty()
  userId!: string;

  @ApiProperty({ enum: USER_KINDS })
  kind!: UserKind;

  @ApiProperty()
  readSeq!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  readAt!: string | null;
}

export class ReceiptsResultView implements Contracts.ReceiptsResult {
  @ApiProperty()
  channelId!: string;

  @ApiProperty({ type: [ReadReceiptView] })
  receipts!: ReadReceiptView[];
}

export class ChannelUnreadView implements Contracts.ChannelUnread {
  @ApiProperty()
  channelId!: string;

  @ApiProperty()
  unread!: number;

  @ApiProperty({ description: 'Muted or archived channels keep their count but are not part of the badge' })
  muted!: boolean;

  @ApiProperty()
  archived!: boolean;
}

export class UnreadSummaryView implements Contracts.UnreadSummary {
  @ApiProperty({ description: 'The badge: unread over the non-archived, non-muted channels' })
  total!: number;

  @ApiProperty({ type: [ChannelUnreadView] })
  channels!: ChannelUnreadView[];
}

export class NotificationSettingsView implements Contracts.NotificationSettingsView {
  @ApiProperty()
  userId!: string;

  @ApiProperty({ enum: EMAIL_FREQUENCIES })
  emailFrequency!: EmailFrequency;

  @ApiProperty({ description: 'For after_delay: minutes after the first unread message' })
  emailDelayMinutes!: number;

  @ApiProperty()
  pushEnabled!: boolean;

  @ApiProperty({ type: [String] })
  mutedChannelIds!: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  updatedAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  updatedBy!: string | null;
}

export class WebPushConfigView {
  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ type: String, nullable: true })
  vapidPublicKey!: string | null;
}

export class PushConfigView implements Contracts.PushConfigView {
  @ApiProperty({ type: WebPushConfigView })
  webPush!: WebPushConfigView;
}

export class PushSubscriptionView implements Contracts.PushSubscriptionView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: ['webpush'] })
  provider!: 'webpush';

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
