import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { DevSignInBody } from '@wellifiy/contracts';

export class DevSignInDto implements DevSignInBody {
  @ApiProperty({ description: 'A demo user of GET /v1/dev/users', example: 'tm_demo_manager' })
  @IsString() @MinLength(1) @MaxLength(128)
  userId!: string;
}
