import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import type { UpdateProfileBody } from '@wellifiy/contracts';

export class UpdateProfileDto implements UpdateProfileBody {
  @ApiPropertyOptional({ description: 'Shown to other patients instead of your name; null resets to your first name', maxLength: 50, nullable: true })
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @MinLength(1) @MaxLength(50) @Matches(/\S/, { message: 'displayName must not be blank' })
  displayName?: string | null;

  @ApiPropertyOptional({ description: 'An uploaded image (POST /v1/media); null removes the avatar', nullable: true })
  @IsOptional() @ValidateIf((_, v) => v !== null) @IsString() @Matches(/^med_[A-Za-z0-9]{1,64}$/, { message: 'avatarMediaId must be a media id (med_…)' })
  avatarMediaId?: string | null;
}
