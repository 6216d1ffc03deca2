import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import {
  ACTIVATABLE_CHANNEL_TYPES, ACTIVATION_RULE_HISTORY_MAX, ACTIVATION_RULE_TEAM_MAX, ActivatableChannelType,
} from '@wellifiy/contracts';
import type { ActivationRuleBody, ActivationRuleHistoryQueryParams, PendingStaffingQueryParams } from '@wellifiy/contracts';

const typeMessage = `type must be one of: ${ACTIVATABLE_CHANNEL_TYPES.join(', ')}`;

export class RuleTypeParams {
  @ApiProperty({ enum: ACTIVATABLE_CHANNEL_TYPES })
  @IsIn(ACTIVATABLE_CHANNEL_TYPES, { message: typeMessage })
  type!: ActivatableChannelType;
}

export class PutActivationRuleBody implements ActivationRuleBody {
  @ApiProperty({ description: 'Create, activate and staff the channel when a patient is created' })
  @IsBoolean()
  autoActivate!: boolean;

  @ApiProperty({ type: [String], description: 'Team members assigned to every new channel of this type (active team members of the organisation)' })
  @IsArray() @ArrayMaxSize(ACTIVATION_RULE_TEAM_MAX) @IsString({ each: true }) @MinLength(1, { each: true }) @MaxLength(128, { each: true })
  teamMemberIds!: string[];
}

export class HistoryQuery implements ActivationRuleHistoryQueryParams {
  @ApiPropertyOptional({ minimum: 1, maximum: ACTIVATION_RULE_HISTORY_MAX, default: 50 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(ACTIVATION_RULE_HISTORY_MAX)
  limit?: number;
}

export class PendingQuery implements PendingStaffingQueryParams {
  @ApiPropertyOptional({ enum: ACTIVATABLE_CHANNEL_TYPES })
  @IsOptional() @IsIn(ACTIVATABLE_CHANNEL_TYPES, { message: typeMessage })
  type?: ActivatableChannelType;
}
