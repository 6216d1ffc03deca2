import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ACTIVATABLE_CHANNEL_TYPES, ActivatableChannelType, CHANNEL_TYPES, ChannelType } from '@wellifiy/contracts';

const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

export class ListChannelsQuery {
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
  @IsString() @MinLength(1) @MaxLength(128)
  id!: string;
}

export class ActivateParams {
  @IsString() @MinLength(1) @MaxLength(128)
  patientId!: string;

  @IsIn(ACTIVATABLE_CHANNEL_TYPES, { message: `type must be one of: ${ACTIVATABLE_CHANNEL_TYPES.join(', ')}` })
  type!: ActivatableChannelType;
}
