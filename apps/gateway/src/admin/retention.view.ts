import { ApiProperty } from '@nestjs/swagger';
import type * as Contracts from '@wellifiy/contracts';

/* Response bodies of the retention, legal hold and erasure routes; each `implements` its contract type. */

export class RetentionSettingsView implements Contracts.RetentionSettings {
  @ApiProperty({ type: Number, nullable: true, description: 'Days message content is kept; null: forever (the default)' })
  messageContentDays!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Days media is kept; null: as long as the content' })
  mediaDays!: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  updatedAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  updatedBy!: string | null;
}

export class LegalHoldView implements Contracts.LegalHoldView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ type: String, nullable: true })
  patientId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  channelId!: string | null;

  @ApiProperty()
  reason!: string;

  @ApiProperty()
  placedBy!: string;

  @ApiProperty({ format: 'date-time' })
  placedAt!: string;
}

export class LegalHoldPageView implements Contracts.LegalHoldPage {
  @ApiProperty({ type: [LegalHoldView] })
  holds!: LegalHoldView[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last' })
  nextCursor!: string | null;
}

export class PatientErasureView implements Contracts.PatientErasure {
  @ApiProperty()
  patientId!: string;

  @ApiProperty({ format: 'date-time' })
  erasedAt!: string;

  @ApiProperty({ description: 'false when nothing was ever sealed under a key of this patient' })
  keyDestroyed!: boolean;
}
