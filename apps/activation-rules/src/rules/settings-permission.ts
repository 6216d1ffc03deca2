import { Actor, DomainError, ErrorCode, hasPermission, Permission } from '@wellifiy/contracts';

/** Portal Settings are for team members holding `settings:manage`; everyone else gets 403. */
export function requireSettingsManager(actor: Actor): void {
  if (actor.kind !== 'team_member' || !hasPermission(actor, Permission.SettingsManage)) {
    throw new DomainError(ErrorCode.Forbidden, 'managing activation rules needs the settings:manage permission');
  }
}
