import type { ChannelEntry, ChannelListState, MeView } from '@wellifiy/messaging-client';
import { CHANNEL_TYPE_LABELS, channelTitle, type People } from './people';

const ORDER: ChannelEntry['type'][] = ['care_team', 'service_team', 'group', 'staff', 'dm'];

/** Channels grouped by type with unread badges; archived ones in their own section at the bottom. */
export function ChannelList(props: { state: ChannelListState; people: People; me: MeView | null; selected: string | null; onSelect: (id: string) => void }) {
  const { state, people, me, selected, onSelect } = props;
  const all = Object.values(state.channels);
  const item = (c: ChannelEntry) => {
    const title = channelTitle(c, people, me);
    return (
      <li key={c.id}>
        <button
          type="button"
          className={`channel ${c.id === selected ? 'selected' : ''}`}
          aria-current={c.id === selected ? 'true' : undefined}
          aria-label={`${title}${c.unreadCount > 0 ? `, ${c.unreadCount} unread` : ''}`}
          data-channel-id={c.id}
          data-channel-type={c.type}
          onClick={() => onSelect(c.id)}
        >
          <span className="title">{title}</span>
          {c.needsStaffing && <span className="flag">needs staffing</span>}
          {c.unreadCount > 0 && (
            <span className="unread" aria-hidden="true">
              {c.unreadCount}
            </span>
          )}
        </button>
      </li>
    );
  };
  const active = all.filter((c) => !c.archived);
  const archived = all.filter((c) => c.archived);
  return (
    <aside className="channel-list" aria-label="Channels">
      {!state.synced && <p role="status">Loading channels…</p>}
      {state.synced && all.length === 0 && <p>No conversations yet.</p>}
      {ORDER.map((type) => {
        const of = active.filter((c) => c.type === type).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
        if (!of.length) return null;
        return (
          <section key={type} aria-labelledby={`type-${type}`}>
            <h2 id={`type-${type}`}>{CHANNEL_TYPE_LABELS[type]}</h2>
            <ul>{of.map(item)}</ul>
          </section>
        );
      })}
      {archived.length > 0 && (
        <section aria-labelledby="type-archived" className="archived">
          <h2 id="type-archived">Archived</h2>
          <ul>{archived.map(item)}</ul>
        </section>
      )}
    </aside>
  );
}
