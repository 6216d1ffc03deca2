import { useEffect, useState } from 'react';
import type { MessagingClient } from '@wellifiy/messaging-client';

/**
 * An attachment: its thumbnail (images), or the video itself with controls. Media needs the bearer token, so
 * bytes come through the client and are shown from a blob: URL.
 */
export function MediaThumb({ client, mediaId }: { client: MessagingClient; mediaId: string }) {
  const [view, setView] = useState<{ url: string; kind: 'image' | 'video' } | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let url: string | undefined;
    let live = true;
    const show = ({ contentType, bytes }: { contentType: string; bytes: Uint8Array }) => {
      url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: contentType }));
      if (live) setView({ url, kind: contentType.startsWith('video/') ? 'video' : 'image' });
    };
    client
      .downloadMedia(mediaId, { variant: 'thumbnail' })
      .catch(() => client.downloadMedia(mediaId))
      .then(show)
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [client, mediaId]);

  const openFull = async () => {
    const full = await client.downloadMedia(mediaId);
    window.open(URL.createObjectURL(new Blob([full.bytes as BlobPart], { type: full.contentType })), '_blank', 'noopener');
  };

  if (failed) return <span className="media missing">Attachment unavailable</span>;
  if (!view) return <span className="media loading" role="status">Loading attachment…</span>;
  if (view.kind === 'video') return <video className="media" src={view.url} controls aria-label="Video attachment" />;
  return (
    <button type="button" className="media-button" onClick={() => void openFull()} aria-label="Open image full size">
      <img className="media thumbnail" src={view.url} alt="Image attachment (thumbnail)" />
    </button>
  );
}
