import { Injectable, Logger } from '@nestjs/common';
import { Events } from '@wellifiy/contracts';
import { ArchivedMembersStore } from '../auth/archived-members.store';
import { RealtimeRouter } from './realtime-router';
import { userRoom } from './rooms';

/**
 * Access ends when the staff directory archives a team member: every gateway instance hears the event on its
 * own realtime queue and disconnects that person's sockets it holds. It records the archive first (the same
 * idempotent SET as the durable consumer), so a client that reconnects at once is refused even if the durable
 * consumer has not run yet.
 */
@Injectable()
export class AccessEventsRealtime {
  private readonly logger = new Logger('AccessEventsRealtime');

  constructor(router: RealtimeRouter, store: ArchivedMembersStore) {
    router.on(Events.TeamMemberArchived, ({ orgId, data: { teamMemberId } }, io) => {
      store
        .markArchived(orgId, teamMemberId)
        .catch((err: unknown) => this.logger.warn(`could not record an archive (the durable consumer will): ${(err as Error).message}`))
        .finally(() => {
          const room = io.to(userRoom(orgId, teamMemberId));
          room.emit('error', { code: 'TEAM_MEMBER_ARCHIVED', statusCode: 403, message: 'your team member account was archived by the staff directory' });
          io.in(userRoom(orgId, teamMemberId)).disconnectSockets(true);
        });
    });
  }
}
