import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { LEGAL_HOLD_PAGE_MAX, LEGAL_HOLD_REASON_MAX_LENGTH, RETENTION_DAYS_MAX } from '@wellifiy/contracts';

export class PutRetentionBody {
  @ApiProperty({ type: Number, nullable: true, minimum: 1, maximum: RETENTION_DAYS_MAX, description: 'Days to keep message content (bodies, history, link previews, media); null: kept' })
  @IsDefined({ message: 'messageContentDays is required (a number of days, or null for no limit)' })
  @ValidateIf((_o, v) => v !== null) @IsInt() @Min(1) @Max(RETENTION_DAYS_MAX)
  messageContentDays!: number | null;

  @ApiProperty({ type: Number, nullable: true, minimum: 1, maximum: RETENTION_DAYS_MAX, description: 'Days to keep media (attachments); null: as long as the message content' })
  @IsDefined({ message: 'mediaDays is required (a number of days, or null for no limit)' })
  @ValidateIf((_o, v) => v !== null) @IsInt() @Min(1) @Max(RETENTION_DAYS_MAX)
  mediaDays!: number | null;
}

export class PlaceLegalHoldBody {
  @ApiPropertyOptional({ description: 'Hold everything of this patient (all their channels); exactly one of patientId, channelId' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  patientId?: string;

  @ApiPropertyOptional({ description: 'Hold this channel; exactly one of patientId, channelId' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  channelId?: string;

  @ApiProperty({ minLength: 1, maxLength: LEGAL_HOLD_REASON_MAX_LENGTH, description: 'Why (litigation, investigation…); stored encrypted' })
  @IsString() @MinLength(1) @MaxLength(LEGAL_HOLD_REASON_MAX_LENGTH)
  reason!: string;
}

export class LegalHoldsQuery {
  @ApiPropertyOptional({ description: 'the nextCursor of the previous page (opaque)' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(512)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: LEGAL_HOLD_PAGE_MAX, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(LEGAL_HOLD_PAGE_MAX)
  limit?: number;
}

export class LegalHoldParams {
  @ApiProperty({ description: 'Legal hold id' })
  @IsString() @MinLength(1) @MaxLength(128)
  id!: string;
}

export class PatientParams {
  @ApiProperty({ description: 'The patient to erase' })
  @IsString() @MinLength(1) @MaxLength(128)
  patientId!: string;
}

export class ErasePatientBody {
  @ApiProperty({ minLength: 1, maxLength: LEGAL_HOLD_REASON_MAX_LENGTH, description: 'Why (e.g. the patient\'s erasure request)' })
  @IsString() @MinLength(1) @MaxLength(LEGAL_HOLD_REASON_MAX_LENGTH)
  reason!: string;
}
