import { IsArray, IsIn, IsString, MaxLength, MinLength } from 'class-validator';

export const USER_KINDS = ['team_member', 'patient'] as const;
export type UserKind = (typeof USER_KINDS)[number];

export const Permission = {
  MessagingManage: 'messaging:manage',
  SettingsManage: 'settings:manage',
  /** Compliance officers: reading and exporting the organisation's audit trail. */
  AuditRead: 'audit:read',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

/** Who is calling: established by the gateway from a verified token, passed with every RPC. */
export class Actor {
  @IsString() @MinLength(1) @MaxLength(128)
  userId!: string;

  @IsString() @MinLength(1) @MaxLength(128)
  orgId!: string;

  @IsIn(USER_KINDS)
  kind!: UserKind;

  @IsArray() @IsString({ each: true })
  perms!: string[];
}

export function hasPermission(actor: Actor, perm: Permission): boolean {
  return actor.perms.includes(perm);
}
