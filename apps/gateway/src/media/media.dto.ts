import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

export class MediaIdParams {
  @ApiProperty()
  @IsString() @MaxLength(128) @Matches(/^[A-Za-z0-9_-]+$/, { message: 'id is not a media id' })
  id!: string;
}
