import { Actor, DomainError, ErrorCode, hasPermission, MessageChangedBy, Permission } from '@wellifiy/contracts';

/** A change a person made (retention and erasure are the system's). */
export type PersonChange = Extract<MessageChangedBy, 'author' | 'staff'>;

/**
 * DESIGN §2 rule 6: anyone may edit or delete their own messages; someone else's only a team member with
 * `messaging:manage`, and then with a reason (shown to participants as "by staff"). Patients never change
 * others' messages, whatever their token claims.
 */
export function changedByFor(actor: Actor, message: { senderId: string }, reason: string | undefined): PersonChange {
  if (message.senderId === actor.userId) return 'author';
  if (actor.kind !== 'team_member' || !hasPermission(actor, Permission.MessagingManage)) {
    throw new DomainError(ErrorCode.Forbidden, "only the author, or staff with messaging:manage, may change this message");
  }
  if (!reason?.trim()) throw new DomainError(ErrorCode.ReasonRequired, "a reason is required to change someone else's message");
  return 'staff';
}
