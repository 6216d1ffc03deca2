import { useCallback, useEffect, useRef, useState } from 'react';
import { isMessagingApiError, type ChannelEntry, type MessageView, type MessagingClient, type MeView } from '@wellifiy/messaging-client';
import { Composer } from './composer';
import { Members } from './members';
import { MessageItem } from './message-item';
import { channelTitle, isTeamMember, personLabel, type People } from './people';
import { Thread } from './thread';

const bySeq = (a: MessageView, b: MessageView): number => a.seq - b.seq;

/** Merges messages by id, newest version winning, in seq order. */
function upsert(list: MessageView[], incoming: MessageView[]): MessageView[] {
  const map = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) map.set(m.id, { ...map.get(m.id), ...m });
  return [...map.values()].sort(bySeq);
}

export function Conversation(props: { client: MessagingClient; channel: ChannelEntry; me: MeView | null; people: People; onBack: () => void }) {
  const { client, channel, me, people, onBack } = props;
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [readAtOpen, setReadAtOpen] = useState<number | null>(null);
  const [receipts, setReceipts] = useState<Map<string, number>>(new Map());
  const [typing, setTyping] = useState<Map<string, number>>(new Map());
  const [thread, setThread] = useState<MessageView | null>(null);
  const [showMembers, setShowMembers] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const marked = useRef(0);
  const endRef = useRef<HTMLDivElement>(null);
  const channelId = channel.id;

  useEffect(() => {
    let live = true;
    const offs = [
      client.on('message', (m) => m.channelId === channelId && setMessages((l) => upsert(l, [m]))),
      client.on('messageUpdated', (m) => m.channelId === channelId && setMessages((l) => (l.some((x) => x.id === m.id) ? upsert(l, [m]) : l))),
      client.on('messageDeleted', (d) =>
        d.channelId === channelId && setMessages((l) => l.map((m) => (m.id === d.id ? { ...m, deleted: true, deletedBy: d.deletedBy, body: '' } : m))),
      ),
      client.on('reaction', (r) =>
        r.channelId === channelId &&
        setMessages((l) =>
          l.map((m) => {
            if (m.id !== r.messageId) return m;
            const mineBefore = new Set((m.reactions ?? []).filter((x) => x.me).map((x) => x.emoji));
            if (r.userId === me?.userId) {
              if (r.reacted) mineBefore.add(r.emoji);
              else mineBefore.delete(r.emoji);
            }
            return { ...m, reactions: r.reactions.map((x) => ({ ...x, me: mineBefore.has(x.emoji) })) };
          }),
        ),
      ),
      client.on('receipt', (r) => r.channelId === channelId && setReceipts((p) => new Map(p).set(r.userId, Math.max(p.get(r.userId) ?? 0, r.readSeq)))),
      client.on('typing', (t) => t.channelId === channelId && t.userId !== me?.userId && setTyping((p) => new Map(p).set(t.userId, Date.now() + 4000))),
    ];
    void (async () => {
      try {
        const [page, rs] = await Promise.all([client.openChannel(channelId), client.rest.receipts(channelId)]);
        if (!live) return;
        setMessages((l) => upsert(l, page));
        const map = new Map<string, number>();
        for (const r of rs.receipts) map.set(r.userId, r.readSeq);
        setReceipts(map);
        setReadAtOpen(me ? (map.get(me.userId) ?? 0) : 0);
        setLoaded(true);
      } catch (err) {
        if (live) setError(isMessagingApiError(err) ? err.message : String(err));
      }
    })();
    return () => {
      live = false;
      for (const off of offs) off();
    };
  }, [client, channelId, me]);

  // Typing indicators fade on their own.
  useEffect(() => {
    if (!typing.size) return;
    const t = setInterval(() => setTyping((p) => new Map([...p].filter(([, until]) => until > Date.now()))), 1000);
    return () => clearInterval(t);
  }, [typing.size]);

  // Reading: what is on screen is read (markers only move forward); the list and badge follow from the answer.
  const newest = messages.reduce((max, m) => Math.max(max, m.seq), 0);
  const markRead = useCallback(() => {
    if (!loaded || newest <= marked.current || document.visibilityState !== 'visible') return;
    marked.current = newest;
    client.markRead(channelId, newest).catch(() => {
      marked.current = 0;
    });
  }, [client, channelId, loaded, newest]);
  useEffect(() => {
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [markRead]);
  // Braces matter: newer browsers' scrollIntoView returns a promise, and an effect may return only a cleanup function.
  useEffect(() => {
    void endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [messages.length]);

  const roots = messages.filter((m) => !m.threadId);
  const firstUnread = readAtOpen === null ? undefined : roots.find((m) => m.seq > readAtOpen && m.senderId !== me?.userId);
  const lastMine = [...roots].reverse().find((m) => m.senderId === me?.userId);
  const seenBy = lastMine
    ? [...receipts].filter(([userId, seq]) => userId !== me?.userId && seq >= lastMine.seq).map(([userId]) => personLabel(people, userId, me))
    : [];
  const typers = [...typing.keys()].map((id) => personLabel(people, id, me));
  const title = channelTitle(channel, people, me);
  const onChanged = (m: MessageView) => setMessages((l) => upsert(l, [m]));

  return (
    <section className="conversation" aria-label={`Conversation: ${title}`}>
      <header className="conversation-header">
        <button type="button" className="back" onClick={onBack} aria-label="Back to channels">
          ←
        </button>
        <h2>{title}</h2>
        {isTeamMember(me) && (
          <button type="button" aria-expanded={showMembers} onClick={() => setShowMembers((s) => !s)}>
            Members
          </button>
        )}
        <button
          type="button"
          onClick={() => void (channel.archived ? client.rest.unarchive(channelId) : client.rest.archive(channelId)).catch((e: unknown) => setError(String(e)))}
        >
          {channel.archived ? 'Unarchive' : 'Archive'}
        </button>
      </header>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {showMembers && me && <Members client={client} channel={channel} me={me} people={people} />}
      <div className="timeline" role="log" aria-label="Messages" aria-live="polite">
        {!loaded && !error && <p role="status">Loading messages…</p>}
        {loaded && roots.length === 0 && <p className="muted">No messages yet.</p>}
        {roots.map((m) => (
          <div key={m.id}>
            {firstUnread?.id === m.id && (
              <div className="unread-marker" role="separator" aria-label="New messages">
                New messages
              </div>
            )}
            <MessageItem client={client} message={m} me={me} people={people} onChanged={onChanged} onOpenThread={setThread} />
          </div>
        ))}
        {seenBy.length > 0 && <p className="seen-by">Seen by {seenBy.join(', ')}</p>}
        <div ref={endRef} />
      </div>
      <p className="typing" aria-live="polite">
        {typers.length ? `${typers.join(', ')} ${typers.length > 1 ? 'are' : 'is'} typing…` : ''}
      </p>
      <Composer client={client} channelId={channelId} onError={setError} />
      {thread && (
        <Thread
          client={client}
          root={messages.find((m) => m.id === thread.id) ?? thread}
          replies={messages.filter((m) => m.threadId === thread.id)}
          me={me}
          people={people}
          onChanged={onChanged}
          onClose={() => setThread(null)}
        />
      )}
    </section>
  );
}
