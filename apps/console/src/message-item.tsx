import { useState } from 'react';
import { isMessagingApiError, type MessageView, type MessagingClient, type MeView } from '@wellifiy/messaging-client';
import { MediaThumb } from './media-thumb';
import { can, personLabel, type People } from './people';

// Named reactions are shown as words: they read the same everywhere, with or without an emoji font.
const QUICK_REACTIONS: { emoji: string; label: string }[] = [
  { emoji: 'like', label: 'Like' },
  { emoji: 'love', label: 'Love' },
  { emoji: 'thanks', label: 'Thanks' },
];
const labelOf = (emoji: string): string => QUICK_REACTIONS.find((r) => r.emoji === emoji)?.label ?? emoji;
const errorText = (err: unknown): string => (isMessagingApiError(err) ? `${err.message} (${err.status})` : String(err));

export interface MessageItemProps {
  client: MessagingClient;
  message: MessageView;
  me: MeView | null;
  people: People;
  onChanged: (m: MessageView) => void;
  onOpenThread?: (m: MessageView) => void;
}

/** One message: body, attachments, link preview, reactions, thread link, and edit/delete (own, or anyone's with messaging:manage). */
export function MessageItem({ client, message: m, me, people, onChanged, onOpenThread }: MessageItemProps) {
  const [mode, setMode] = useState<'view' | 'edit' | 'delete'>('view');
  const [draft, setDraft] = useState(m.body);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const mine = m.senderId === me?.userId;
  const manage = can(me, 'messaging:manage');
  const mayChange = !m.deleted && (mine || manage);
  const needsReason = !mine;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const changed =
        mode === 'edit'
          ? await client.rest.editMessage(m.channelId, m.id, { body: draft, ...(needsReason ? { reason } : {}) })
          : await client.rest.deleteMessage(m.channelId, m.id, needsReason ? { reason } : {});
      onChanged(changed);
      setMode('view');
      setReason('');
    } catch (err) {
      setError(errorText(err));
    }
  };
  const react = async (emoji: string, on: boolean) => {
    try {
      onChanged(await client.react(m.channelId, m.id, emoji, on));
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <article className={`message ${mine ? 'mine' : ''}`} aria-label={`Message from ${personLabel(people, m.senderId, me)}`} data-seq={m.seq} data-message-id={m.id}>
      <header>
        <span className="sender">{personLabel(people, m.senderId, me)}</span>{' '}
        <time dateTime={m.createdAt}>{new Date(m.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</time>
        {m.editedAt && !m.deleted && <span className="changed">{m.editedBy === 'staff' ? 'edited by staff' : 'edited'}</span>}
      </header>
      {m.deleted ? (
        <p className="body deleted">{m.deletedBy === 'staff' ? 'Message removed by staff' : 'Message deleted'}</p>
      ) : mode === 'view' ? (
        <p className="body">{m.body}</p>
      ) : null}
      {!m.deleted && (m.attachments?.length ?? 0) > 0 && (
        <div className="attachments">
          {m.attachments?.map((id) => <MediaThumb key={id} client={client} mediaId={id} />)}
        </div>
      )}
      {!m.deleted && m.linkPreview && (
        <a className="link-preview" href={m.linkPreview.url} target="_blank" rel="noopener noreferrer">
          <strong>{m.linkPreview.title ?? m.linkPreview.url}</strong>
          {m.linkPreview.siteName && <span className="muted"> · {m.linkPreview.siteName}</span>}
          {m.linkPreview.description && <span className="description">{m.linkPreview.description}</span>}
        </a>
      )}
      {mode !== 'view' && (
        <form className="change-form" onSubmit={(e) => void submit(e)}>
          {mode === 'edit' && (
            <label>
              New text
              <textarea value={draft} onChange={(e) => setDraft(e.target.value)} required maxLength={10000} />
            </label>
          )}
          {needsReason && (
            <label>
              Reason (shown in the audit trail)
              <input value={reason} onChange={(e) => setReason(e.target.value)} required />
            </label>
          )}
          <button type="submit">{mode === 'edit' ? 'Save edit' : 'Delete message'}</button>
          <button type="button" onClick={() => setMode('view')}>
            Cancel
          </button>
        </form>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!m.deleted && (
        <footer className="message-actions">
          {(m.reactions ?? []).map((r) => (
            <button key={r.emoji} type="button" className={`reaction ${r.me ? 'on' : ''}`} aria-pressed={Boolean(r.me)} aria-label={`${r.emoji} reaction, ${r.count}`} onClick={() => void react(r.emoji, !r.me)}>
              {labelOf(r.emoji)} {r.count}
            </button>
          ))}
          {QUICK_REACTIONS.filter((q) => !(m.reactions ?? []).some((r) => r.emoji === q.emoji)).map((q) => (
            <button key={q.emoji} type="button" className="reaction add" aria-label={`React ${q.emoji}`} onClick={() => void react(q.emoji, true)}>
              {q.label}
            </button>
          ))}
          {onOpenThread && !m.threadId && (
            <button type="button" onClick={() => onOpenThread(m)}>
              {m.replyCount ? `${m.replyCount} repl${m.replyCount === 1 ? 'y' : 'ies'}` : 'Reply in thread'}
            </button>
          )}
          {mayChange && mode === 'view' && (
            <>
              <button type="button" onClick={() => { setDraft(m.body); setMode('edit'); }}>
                Edit
              </button>
              <button type="button" onClick={() => setMode('delete')}>
                Delete
              </button>
            </>
          )}
        </footer>
      )}
    </article>
  );
}
