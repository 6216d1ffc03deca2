import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MEDIA_KINDS, MediaKind } from '@wellifiy/contracts';
import type * as Contracts from '@wellifiy/contracts';

/** POST /v1/media for the OpenAPI document; `implements` the contract type so the two cannot drift. */
export class MediaView implements Contracts.MediaView {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: MEDIA_KINDS })
  kind!: MediaKind;

  @ApiProperty({ description: 'Detected from the bytes, not from the client' })
  contentType!: string;

  @ApiProperty({ description: 'Bytes' })
  size!: number;

  @ApiProperty()
  hasThumbnail!: boolean;

  @ApiPropertyOptional()
  width?: number;

  @ApiPropertyOptional()
  height?: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
