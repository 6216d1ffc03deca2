import { useCallback, useEffect, useState } from 'react';
import { isMessagingApiError, type ChannelEntry, type MessagingClient, type MeView } from '@wellifiy/messaging-client';
import type { ChannelMemberView } from '@wellifiy/contracts';
import { personLabel, type People } from './people';

/** Members of a channel, real names beside display names, with add and remove (the gateway enforces who may). */
export function Members({ client, channel, me, people }: { client: MessagingClient; channel: ChannelEntry; me: MeView; people: People }) {
  const [members, setMembers] = useState<ChannelMemberView[]>([]);
  const [userId, setUserId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    client.rest.members(channel.id).then(setMembers, (e: unknown) => setError(String(e)));
  }, [client, channel.id]);
  useEffect(reload, [reload, channel.members.length]);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      reload();
    } catch (err) {
      setError(isMessagingApiError(err) ? `${err.message} (${err.status})` : String(err));
    }
  };
  const candidates = [...people.values()].filter((p) => !members.some((m) => m.userId === p.userId) && (p.kind === 'team_member' || channel.type === 'group'));
  return (
    <section className="members" aria-label="Members">
      <h3>Members</h3>
      <ul>
        {members.map((m) => (
          <li key={m.userId}>
            <span>{m.userId === me.userId ? 'You' : m.displayName}</span>
            {m.realName && <span className="real-name"> — {m.realName.firstName} {m.realName.lastName}</span>}
            <span className="muted"> {m.kind === 'patient' ? 'patient' : (m.title ?? 'team member')}</span>
            {m.userId !== me.userId && (
              <button type="button" aria-label={`Remove ${m.displayName}`} onClick={() => void act(() => client.rest.removeMember(channel.id, m.userId))}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (userId.trim()) void act(() => client.rest.addMember(channel.id, { userId: userId.trim() })).then(() => setUserId(''));
        }}
      >
        <label>
          Add member (user id)
          <input list={`candidates-${channel.id}`} value={userId} onChange={(e) => setUserId(e.target.value)} />
        </label>
        <datalist id={`candidates-${channel.id}`}>
          {candidates.map((p) => (
            <option key={p.userId} value={p.userId}>
              {personLabel(people, p.userId, me)}
            </option>
          ))}
        </datalist>
        <button type="submit">Add</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
