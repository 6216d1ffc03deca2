import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

export class MediaIdParams {
  @ApiProperty({ description: 'Media id (from POST /v1/media)' })
  @IsString() @MaxLength(128) @Matches(/^[A-Za-z0-9_-]+$/, { message: 'id is not a media id' })
  id!: string;
}
