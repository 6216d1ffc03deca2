import { ApiProperty } from '@nestjs/swagger';
import { USER_KINDS, UserKind } from '@wellifiy/contracts';
import type * as Contracts from '@wellifiy/contracts';

/** GET /v1/me for the OpenAPI document; `implements` the contract type so the two cannot drift. */
export class MeView implements Contracts.MeView {
  @ApiProperty()
  userId!: string;

  @ApiProperty()
  orgId!: string;

  @ApiProperty({ enum: USER_KINDS })
  kind!: UserKind;

  @ApiProperty({ type: [String] })
  perms!: string[];

  @ApiProperty({ type: String, nullable: true })
  firstName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  lastName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  displayName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  avatarMediaId!: string | null;
}
