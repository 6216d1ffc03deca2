import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { AUDIT_PAGE_MAX } from '@wellifiy/contracts';
import type { AuditQueryParams } from '@wellifiy/contracts';

export class AuditQuery implements AuditQueryParams {
  @ApiPropertyOptional()
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  channelId?: string;

  @ApiPropertyOptional({ description: "every entry of the patient's channels" })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  patientId?: string;

  @ApiPropertyOptional({ description: 'who did it' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  actorId?: string;

  @ApiPropertyOptional({ description: 'e.g. channel.member.added, audit.queried' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  action?: string;

  @ApiPropertyOptional({ description: 'ISO time: entries at or after this' })
  @IsOptional() @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ description: 'ISO time: entries strictly before this' })
  @IsOptional() @IsISO8601()
  to?: string;

  @ApiPropertyOptional({ description: 'the nextCursor of the previous page (opaque)' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(512)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(AUDIT_PAGE_MAX)
  limit?: number;
}
