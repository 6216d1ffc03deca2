import { LinkPreview } from '@wellifiy/contracts';

const FIELD_MAX = 500;
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/i;

/** The first http(s) URL of a message body (trailing punctuation left out), or null. */
export function firstUrl(body: string): string | null {
  const m = URL_PATTERN.exec(body);
  if (!m) return null;
  return m[0].replace(/[.,;:!?)\]}]+$/, '');
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

const clean = (text: string | undefined): string | undefined => {
  if (text === undefined) return undefined;
  const value = decodeEntities(text).replace(/\s+/g, ' ').trim().slice(0, FIELD_MAX);
  return value || undefined;
};

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? (m[2] ?? m[3] ?? m[4]) : undefined;
}

/**
 * Title, description, image and site name from Open Graph / Twitter meta tags, falling back to <title>
 * and <meta name=description>. A regex scan of the head is enough for these few tags and needs no parser.
 */
export function parsePreview(html: string, pageUrl: URL): LinkPreview {
  const meta = new Map<string, string>();
  for (const tag of html.match(/<meta\b[^>]*>/gi) ?? []) {
    const key = (attr(tag, 'property') ?? attr(tag, 'name'))?.toLowerCase();
    const content = attr(tag, 'content');
    if (key && content !== undefined && !meta.has(key)) meta.set(key, content);
  }
  const titleTag = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const image = clean(meta.get('og:image') ?? meta.get('twitter:image'));
  let imageUrl: string | undefined;
  if (image) {
    try {
      const u = new URL(image, pageUrl);
      if (u.protocol === 'http:' || u.protocol === 'https:') imageUrl = u.toString();
    } catch {
      imageUrl = undefined;
    }
  }
  const preview: LinkPreview = { url: pageUrl.toString() };
  const title = clean(meta.get('og:title') ?? meta.get('twitter:title') ?? titleTag);
  const description = clean(meta.get('og:description') ?? meta.get('twitter:description') ?? meta.get('description'));
  const siteName = clean(meta.get('og:site_name')) ?? pageUrl.hostname;
  if (title) preview.title = title;
  if (description) preview.description = description;
  if (imageUrl) preview.imageUrl = imageUrl;
  preview.siteName = siteName;
  return preview;
}
