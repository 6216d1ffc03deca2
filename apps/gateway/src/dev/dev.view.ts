import { ApiProperty } from '@nestjs/swagger';
import { USER_KINDS, UserKind } from '@wellifiy/contracts';
import type * as Contracts from '@wellifiy/contracts';

export class DevOrganisationView {
  @ApiProperty({ example: 'org_demo' })
  id!: string;

  @ApiProperty()
  name!: string;
}

export class DevUserView implements Contracts.DevUserView {
  @ApiProperty({ example: 'tm_demo_manager' })
  userId!: string;

  @ApiProperty({ enum: USER_KINDS })
  kind!: UserKind;

  @ApiProperty({ description: 'What other patients see' })
  displayName!: string;

  @ApiProperty()
  realName!: string;

  @ApiProperty({ type: [String], example: ['messaging:manage'] })
  permissions!: string[];
}

export class DevUsersView implements Contracts.DevUsersView {
  @ApiProperty({ type: DevOrganisationView })
  organisation!: DevOrganisationView;

  @ApiProperty({ type: [DevUserView] })
  users!: DevUserView[];

  @ApiProperty({ type: String, nullable: true, description: "The local mail catcher's inbox (digest emails); null when none runs" })
  mailInboxUrl!: string | null;
}

export class DevSignInView implements Contracts.DevSignInResult {
  @ApiProperty({ description: 'Bearer token (HS256, the development secret) for REST and the Socket.IO handshake' })
  token!: string;

  @ApiProperty({ type: DevUserView })
  user!: DevUserView;
}
