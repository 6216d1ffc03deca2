import { useId, useState } from 'react';
import { isMessagingApiError, type MessagingClient } from '@wellifiy/messaging-client';

/** Text, and an image or video with upload progress. Sends are queued by the client while offline. */
export function Composer(props: { client: MessagingClient; channelId: string; rootId?: string; onError: (e: string | null) => void; label?: string }) {
  const { client, channelId, rootId, onError } = props;
  const [text, setText] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const id = useId();

  const send = (body: string, attachments?: string[]) => {
    onError(null);
    const sent = rootId ? client.reply(channelId, rootId, { body }) : client.send(channelId, { body, ...(attachments ? { attachments } : {}) });
    sent.catch((err: unknown) => onError(isMessagingApiError(err) ? `Not sent: ${err.message}` : `Not sent: ${String(err)}`));
  };
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    setText('');
    send(body);
  };
  const upload = async (file: File) => {
    onError(null);
    setProgress(0);
    try {
      const media = await client.uploadMedia(file, { filename: file.name, contentType: file.type, onProgress: ({ loaded, total }) => setProgress(total ? loaded / total : 0) });
      send(text.trim() || file.name, [media.id]);
      setText('');
    } catch (err) {
      onError(isMessagingApiError(err) ? `Upload failed: ${err.message}` : `Upload failed: ${String(err)}`);
    } finally {
      setProgress(null);
    }
  };

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor={`${id}-text`} className="visually-hidden">
        {props.label ?? 'Message'}
      </label>
      <textarea
        id={`${id}-text`}
        value={text}
        rows={2}
        maxLength={10000}
        placeholder={props.label ?? 'Write a message'}
        onChange={(e) => {
          setText(e.target.value);
          client.typing(channelId);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) submit(e);
        }}
      />
      {!rootId && (
        <label className="attach">
          <span className="visually-hidden">Attach an image or video</span>
          <span aria-hidden="true">Attach</span>
          <input
            type="file"
            accept="image/jpeg,image/png,image/webp,image/gif,video/mp4,video/webm,video/quicktime"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void upload(file);
            }}
          />
        </label>
      )}
      <button type="submit">Send</button>
      {progress !== null && <progress aria-label="Upload progress" value={progress} max={1} />}
    </form>
  );
}
