import { useEffect, useState } from 'react';
import type { MessageView, MessagingClient, MeView } from '@wellifiy/messaging-client';
import { Composer } from './composer';
import { MessageItem } from './message-item';
import type { People } from './people';

/** A thread: its root and replies (older replies read once; new ones arrive with the channel's stream). */
export function Thread(props: { client: MessagingClient; root: MessageView; replies: MessageView[]; me: MeView | null; people: People; onChanged: (m: MessageView) => void; onClose: () => void }) {
  const { client, root, me, people, onChanged, onClose } = props;
  const [older, setOlder] = useState<MessageView[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    client.rest.listReplies(root.channelId, root.id).then((p) => setOlder(p.messages), (e: unknown) => setError(String(e)));
  }, [client, root.channelId, root.id]);
  const byId = new Map([...older, ...props.replies].map((m) => [m.id, m]));
  const replies = [...byId.values()].sort((a, b) => a.seq - b.seq);
  return (
    <aside className="thread" aria-label="Thread">
      <header>
        <h3>Thread</h3>
        <button type="button" onClick={onClose} aria-label="Close thread">
          ×
        </button>
      </header>
      <MessageItem client={client} message={root} me={me} people={people} onChanged={onChanged} />
      <div role="log" aria-label="Replies">
        {replies.map((m) => (
          <MessageItem key={m.id} client={client} message={m} me={me} people={people} onChanged={onChanged} />
        ))}
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <Composer client={client} channelId={root.channelId} rootId={root.id} onError={setError} label="Reply" />
    </aside>
  );
}
