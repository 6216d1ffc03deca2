import type { ChannelEntry, MessagingClient, MeView } from '@wellifiy/messaging-client';

/** What the console knows of a person, from the member lists it has read (DESIGN §2 rule 9: real names only for team members). */
export interface Person {
  userId: string;
  kind: 'team_member' | 'patient';
  displayName: string;
  /** Present only when the viewer is a team member. */
  realName?: string;
}

export type People = ReadonlyMap<string, Person>;

/** Reads the members of every listed channel it has not read yet, and returns everyone seen so far. */
export async function loadPeople(client: MessagingClient, channelIds: readonly string[], known: People): Promise<Map<string, Person>> {
  const next = new Map(known);
  const lists = await Promise.all(channelIds.map((id) => client.rest.members(id).catch(() => [])));
  for (const members of lists) {
    for (const m of members) {
      next.set(m.userId, {
        userId: m.userId,
        kind: m.kind,
        displayName: m.displayName,
        ...(m.realName ? { realName: `${m.realName.firstName} ${m.realName.lastName}` } : {}),
      });
    }
  }
  return next;
}

export const isTeamMember = (me: MeView | null): boolean => me?.kind === 'team_member';
export const can = (me: MeView | null, perm: string): boolean => Boolean(me?.perms.includes(perm));

/** "Display name (Real Name)" for team viewers, the display name alone for patients. */
export function personLabel(people: People, userId: string, me: MeView | null): string {
  if (me && userId === me.userId) return 'You';
  const p = people.get(userId);
  if (!p) return userId;
  return p.realName && p.realName !== p.displayName ? `${p.displayName} (${p.realName})` : p.displayName;
}

export const CHANNEL_TYPE_LABELS: Record<ChannelEntry['type'], string> = {
  care_team: 'Care team',
  service_team: 'Service team',
  staff: 'Staff',
  group: 'Groups',
  dm: 'Direct messages',
};

/** The name shown for a channel in the list and the conversation header. */
export function channelTitle(c: ChannelEntry, people: People, me: MeView | null): string {
  switch (c.type) {
    case 'group':
      return c.name ?? 'Group';
    case 'care_team':
    case 'service_team': {
      const base = c.type === 'care_team' ? 'Care team' : 'Service team';
      return isTeamMember(me) && c.patientId ? `${base} · ${personLabel(people, c.patientId, me)}` : base;
    }
    case 'staff': {
      const about = c.patientId ? `about ${personLabel(people, c.patientId, me)}` : '';
      return [c.name ?? 'Staff', about].filter(Boolean).join(' · ');
    }
    case 'dm': {
      const others = c.members.filter((m) => m.userId !== me?.userId).map((m) => personLabel(people, m.userId, me));
      return others.length ? others.join(', ') : 'Note to self';
    }
  }
}
