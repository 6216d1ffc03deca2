import { useEffect, useState } from 'react';
import { createMessagingClient, type ChannelListState, type ConnectionState, type MessagingClient, type MeView } from '@wellifiy/messaging-client';
import { AdminPages } from './admin-pages';
import { ChannelList } from './channel-list';
import { Conversation } from './conversation';
import { NewChannel } from './new-channel';
import { can, isTeamMember, loadPeople, type People } from './people';
import { Profile } from './profile';
import { apiOrigin, type ConsoleSession } from './session';

type Tab = 'messages' | 'new' | 'admin' | 'profile';

/** My display name, and my real name beside it when it differs. */
function whoAmI(me: MeView): string {
  const real = [me.firstName, me.lastName].filter(Boolean).join(' ');
  const display = me.displayName ?? (real || me.userId);
  return real && real !== display ? `${display} (${real})` : display;
}

/** Offline and back (the browser's own events): the client disconnects on purpose, then reconnects and catches up by seq. */
function useBrowserOnline(client: MessagingClient): void {
  useEffect(() => {
    const offline = () => client.disconnect();
    const online = () => void client.connect().catch(() => undefined);
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
    };
  }, [client]);
}

/**
 * One client per signed-in tab, made and closed by an effect (so React's StrictMode re-run of effects gets a
 * fresh client rather than a closed one).
 */
export function Workspace({ session, onSignOut }: { session: ConsoleSession; onSignOut: () => void }) {
  const [client, setClient] = useState<MessagingClient | null>(null);
  useEffect(() => {
    const c = createMessagingClient({ baseUrl: apiOrigin(session), token: () => session.token });
    setClient(c);
    return () => {
      c.close();
      setClient(null);
    };
  }, [session]);
  if (!client) return <p role="status">Starting…</p>;
  return <SignedIn client={client} onSignOut={onSignOut} />;
}

function SignedIn({ client, onSignOut }: { client: MessagingClient; onSignOut: () => void }) {
  const [me, setMe] = useState<MeView | null>(null);
  const [list, setList] = useState<ChannelListState>(() => client.channels.getState());
  const [connection, setConnection] = useState<ConnectionState>(client.connectionState);
  const [people, setPeople] = useState<People>(new Map());
  const [selected, setSelected] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('messages');
  const [alerts, setAlerts] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  useBrowserOnline(client);

  useEffect(() => {
    const offs = [
      client.channels.subscribe((s) => setList(s)),
      client.on('connection', ({ state }) => setConnection(state)),
      client.on('needsStaffing', ({ channelId }) => setAlerts((a) => (a.includes(channelId) ? a : [...a, channelId]))),
    ];
    client.rest.me().then(setMe, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
    client.connect().catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
    return () => {
      for (const off of offs) off();
    };
  }, [client]);

  // Names of the people in my channels (and real names beside them, for team members).
  const channelIds = Object.keys(list.channels).sort().join(',');
  useEffect(() => {
    const ids = channelIds ? channelIds.split(',') : [];
    if (!ids.length) return;
    let live = true;
    void loadPeople(client, ids, new Map()).then((p) => live && setPeople(p));
    return () => {
      live = false;
    };
  }, [client, channelIds]);

  const team = isTeamMember(me);
  const selectedChannel = selected ? list.channels[selected] : undefined;
  const tabs: { id: Tab; label: string; show: boolean }[] = [
    { id: 'messages', label: 'Messages', show: true },
    { id: 'new', label: 'New channel', show: team },
    { id: 'admin', label: 'Activation rules & staffing', show: team && (can(me, 'settings:manage') || can(me, 'messaging:manage')) },
    { id: 'profile', label: team ? 'Notifications' : 'Profile & notifications', show: true },
  ];

  return (
    <div className={`workspace ${selectedChannel ? 'has-selection' : ''}`}>
      <header className="topbar">
        <h1>{team ? 'Clinical Portal' : 'Patient Portal'}</h1>
        <span className="who">{me ? whoAmI(me) : ''}</span>
        <span className="badge-total" role="status" aria-label={`${list.badge} unread`}>
          {list.badge > 0 ? list.badge : ''}
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {connection !== 'connected' && connection !== 'idle' && (
        <div role="alert" className="banner reconnect">
          {connection === 'connecting' ? 'Connecting…' : connection === 'closed' ? 'Disconnected.' : 'Connection lost — reconnecting; messages you send will go out when it is back.'}
        </div>
      )}
      {error && (
        <div role="alert" className="banner error">
          {error}
        </div>
      )}
      {alerts.length > 0 && team && (
        <div role="alert" className="banner warn">
          {alerts.length} channel{alerts.length > 1 ? 's need' : ' needs'} staffing.{' '}
          <button type="button" onClick={() => setTab('admin')}>
            Review
          </button>{' '}
          <button type="button" onClick={() => setAlerts([])}>
            Dismiss
          </button>
        </div>
      )}
      <nav aria-label="Sections" className="tabs" role="tablist">
        {tabs
          .filter((t) => t.show)
          .map((t) => (
            <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} onClick={() => setTab(t.id)}>
              {t.label}
            </button>
          ))}
      </nav>
      {tab === 'messages' && (
        <div className="panes">
          <ChannelList state={list} people={people} me={me} selected={selected} onSelect={setSelected} />
          {selectedChannel ? (
            <Conversation key={selectedChannel.id} client={client} channel={selectedChannel} me={me} people={people} onBack={() => setSelected(null)} />
          ) : (
            <section className="conversation empty" aria-label="Conversation">
              <p>Choose a channel.</p>
            </section>
          )}
        </div>
      )}
      {tab === 'new' && me && (
        <NewChannel
          client={client}
          me={me}
          people={people}
          onCreated={(id) => {
            setSelected(id);
            setTab('messages');
          }}
        />
      )}
      {tab === 'admin' && me && <AdminPages client={client} me={me} people={people} />}
      {tab === 'profile' && me && <Profile client={client} me={me} onChanged={setMe} channels={list} people={people} />}
    </div>
  );
}
