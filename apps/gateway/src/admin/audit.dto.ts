import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { AUDIT_PAGE_MAX } from '@wellifiy/contracts';
import type { AuditQueryParams } from '@wellifiy/contracts';
import { AUDIT_EXPORT_FORMATS, AuditExportFormat } from './audit-export';

/** The filters of the trail (no paging): what the export streams, every page of it. */
export class AuditFilterQuery implements Omit<AuditQueryParams, 'cursor' | 'limit'> {
  @ApiPropertyOptional()
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  channelId?: string;

  @ApiPropertyOptional({ description: "every entry of the patient's channels" })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  patientId?: string;

  @ApiPropertyOptional({ description: 'who did it' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  actorId?: string;

  @ApiPropertyOptional({ description: 'e.g. message.sent, message.deleted, messages.read, channel.member.added, audit.queried (docs/audit.md lists them all)' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  action?: string;

  @ApiPropertyOptional({ description: 'ISO time: entries at or after this' })
  @IsOptional() @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ description: 'ISO time: entries strictly before this' })
  @IsOptional() @IsISO8601()
  to?: string;

}

export class AuditQuery extends AuditFilterQuery implements AuditQueryParams {
  @ApiPropertyOptional({ description: 'the nextCursor of the previous page (opaque)' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(512)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(AUDIT_PAGE_MAX)
  limit?: number;
}

export class AuditExportQuery extends AuditFilterQuery {
  @ApiPropertyOptional({ enum: AUDIT_EXPORT_FORMATS, default: 'ndjson' })
  @IsOptional() @IsIn(AUDIT_EXPORT_FORMATS, { message: `format must be one of: ${AUDIT_EXPORT_FORMATS.join(', ')}` })
  format?: AuditExportFormat;
}

export class MessageIdParams {
  @ApiProperty()
  @IsString() @MinLength(1) @MaxLength(128)
  messageId!: string;
}
