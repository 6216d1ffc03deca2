import { Actor, ChannelMemberView } from '@wellifiy/contracts';
import { ChannelMemberDoc } from '../channels/channel.schema';
import { Patient, TeamMember } from '../directory/directory.repository';

const UNKNOWN = 'Unknown member';

/**
 * A member as this viewer may see them (DESIGN §2 rule 9): patients appear to other patients only by
 * display name (default: first name) and avatar; team members see a patient's real name beside it.
 */
export function memberView(m: ChannelMemberDoc, viewer: Actor, patients: Map<string, Patient>, team: Map<string, TeamMember>): ChannelMemberView {
  const base = { userId: m.userId, kind: m.kind, joinedAt: m.joinedAt.toISOString() };
  if (m.kind === 'team_member') {
    const t = team.get(m.userId);
    return { ...base, displayName: t ? `${t.firstName} ${t.lastName}` : UNKNOWN, title: t?.title ?? null, avatarMediaId: null };
  }
  const p = patients.get(m.userId);
  const view: ChannelMemberView = { ...base, displayName: p ? (p.displayName ?? p.firstName) : UNKNOWN, title: null, avatarMediaId: p?.avatarMediaId ?? null };
  if (viewer.kind === 'team_member' && p) view.realName = { firstName: p.firstName, lastName: p.lastName };
  return view;
}
