import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength,
} from 'class-validator';
import {
  ACTIVATABLE_CHANNEL_TYPES, ActivatableChannelType, CHANNEL_MEMBERS_MAX, CHANNEL_TYPES, ChannelType, CREATABLE_CHANNEL_TYPES, CreatableChannelType,
} from '@wellifiy/contracts';
import type { AddMemberBody, CreateChannelBody, ListChannelsQueryParams, RemoveMemberQueryParams } from '@wellifiy/contracts';

const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

export class ListChannelsQuery implements ListChannelsQueryParams {
  @ApiPropertyOptional({ description: 'true: my archived channels; false: active ones; absent: both' })
  @IsOptional() @Transform(toBoolean) @IsBoolean({ message: 'archived must be true or false' })
  archived?: boolean;

  @ApiPropertyOptional({ enum: CHANNEL_TYPES })
  @IsOptional() @IsIn(CHANNEL_TYPES)
  type?: ChannelType;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  patientId?: string;
}

export class ChannelIdParams {
  @ApiProperty({ description: 'Channel id' })
  @IsString() @MinLength(1) @MaxLength(128)
  id!: string;
}

export class ActivateParams {
  @ApiProperty({ description: 'The patient whose channel is activated' })
  @IsString() @MinLength(1) @MaxLength(128)
  patientId!: string;

  @ApiProperty({ enum: ACTIVATABLE_CHANNEL_TYPES })
  @IsIn(ACTIVATABLE_CHANNEL_TYPES, { message: `type must be one of: ${ACTIVATABLE_CHANNEL_TYPES.join(', ')}` })
  type!: ActivatableChannelType;
}

export class CreateChannelDto implements CreateChannelBody {
  @ApiProperty({ enum: CREATABLE_CHANNEL_TYPES })
  @IsIn(CREATABLE_CHANNEL_TYPES, { message: `type must be one of: ${CREATABLE_CHANNEL_TYPES.join(', ')}` })
  type!: CreatableChannelType;

  @ApiPropertyOptional({ description: 'Required for group channels', maxLength: 100 })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ description: 'Required for staff channels: the patient they are about' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128)
  patientId?: string;

  @ApiProperty({ description: 'Members besides you', type: [String] })
  @IsArray() @ArrayMaxSize(CHANNEL_MEMBERS_MAX) @IsString({ each: true }) @MinLength(1, { each: true }) @MaxLength(128, { each: true })
  memberIds!: string[];
}

export class AddMemberDto implements AddMemberBody {
  @ApiProperty()
  @IsString() @MinLength(1) @MaxLength(128)
  userId!: string;
}

export class MemberParams {
  @ApiProperty({ description: 'Channel id' })
  @IsString() @MinLength(1) @MaxLength(128)
  id!: string;

  @ApiProperty({ description: 'The member to remove' })
  @IsString() @MinLength(1) @MaxLength(128)
  userId!: string;
}

export class RemoveMemberQuery implements RemoveMemberQueryParams {
  @ApiPropertyOptional({ description: 'Why (kept in the audit trail)', maxLength: 500 })
  @IsOptional() @IsString() @MaxLength(500)
  reason?: string;
}

