import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { Actor, DomainError, ErrorCode } from '@wellifiy/contracts';
import { ArchivedMembersStore } from './archived-members.store';

export const archivedError = (): DomainError =>
  new DomainError(ErrorCode.TeamMemberArchived, 'your team member account was archived by the staff directory: access has ended');

/**
 * Runs after JwtAuthGuard on every authenticated route: a team member the staff directory archived gets 403
 * TEAM_MEMBER_ARCHIVED whatever their token says. One Redis EXISTS per request (the rate limiter already makes
 * one), no RPC. If Redis cannot answer, the request is refused with 503 rather than let through: an archived
 * person must not regain access during an outage.
 */
@Injectable()
export class ArchivedMemberGuard implements CanActivate {
  private readonly logger = new Logger('ArchivedMemberGuard');

  constructor(private readonly store: ArchivedMembersStore) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const actor = ctx.switchToHttp().getRequest<Request & { user?: Actor }>().user;
    if (!actor || actor.kind !== 'team_member') return true; // public endpoint, or a patient (never archived by the staff directory)
    let archived: boolean;
    try {
      archived = await this.store.isArchived(actor.orgId, actor.userId);
    } catch (err) {
      this.logger.warn(`archived-member check unavailable: ${(err as Error).message}`);
      throw new DomainError(ErrorCode.ServiceUnavailable, 'access cannot be checked right now; retry shortly');
    }
    if (archived) throw archivedError();
    return true;
  }
}
