import { TextDecoder } from 'node:util';
import { Parser } from 'htmlparser2';
import { LinkPreview } from '@wellifiy/contracts';

const FIELD_MAX = 500;
/*
 * One character class and no nested quantifier: the engine tries each start position once and the
 * match itself runs forward only, so a 10,000-character body costs a single pass.
 */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/i;
const TRAILING_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', ')', ']', '}']);

/** The first http(s) URL of a message body (trailing punctuation left out), or null. */
export function firstUrl(body: string): string | null {
  const m = URL_PATTERN.exec(body);
  if (!m) return null;
  // A backwards scan, not /[.,;:!?)\]}]+$/: that regex retries from every position of a long
  // punctuation run, quadratic in the URL's length.
  let end = m[0].length;
  while (end > 0 && TRAILING_PUNCTUATION.has(m[0][end - 1])) end--;
  return m[0].slice(0, end);
}

const clean = (text: string | undefined): string | undefined => {
  if (text === undefined) return undefined;
  const value = text.replace(/\s+/g, ' ').trim().slice(0, FIELD_MAX);
  return value || undefined;
};

interface ScannedHead {
  /** meta property/name (lower case) → content; the first tag of a name wins. */
  meta: Map<string, string>;
  title: string | undefined;
}

/**
 * Meta tags and the first <title> of a page through htmlparser2, a streaming tokenizer that reads each
 * byte once (regexes over untrusted HTML backtracked for tens of seconds on crafted pages). Entities in
 * text and attribute values are decoded by the parser.
 */
function scan(html: string): ScannedHead {
  const meta = new Map<string, string>();
  let title: string | undefined;
  let inTitle = false;
  let titleText = '';
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name === 'meta') {
          const key = (attribs.property ?? attribs.name)?.toLowerCase();
          const content = attribs.content;
          if (key && content !== undefined && !meta.has(key)) meta.set(key, content);
        } else if (name === 'title' && title === undefined) {
          inTitle = true;
          titleText = '';
        }
      },
      ontext(text) {
        if (inTitle) titleText += text;
      },
      onclosetag(name) {
        if (name === 'title' && inTitle) {
          inTitle = false;
          title = titleText;
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return { meta, title };
}

/**
 * Title, description, image and site name from Open Graph / Twitter meta tags, falling back to <title>
 * and <meta name=description>.
 */
export function parsePreview(html: string, pageUrl: URL): LinkPreview {
  const { meta, title: titleTag } = scan(html);
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

/** How many bytes a browser prescans for <meta charset> (HTML standard, "prescan a byte stream"). */
const CHARSET_PRESCAN_BYTES = 1024;

function decoderFor(label: string | undefined): TextDecoder | undefined {
  if (!label) return undefined;
  try {
    return new TextDecoder(label.trim().replace(/^["']|["']$/g, ''));
  } catch {
    return undefined; // an unknown label: fall through to the next source
  }
}

/** The charset a <meta charset> or <meta http-equiv=content-type> in the first bytes names, if any. */
function metaCharset(head: Buffer): string | undefined {
  let found: string | undefined;
  const parser = new Parser({
    onopentag(name, attribs) {
      if (found || name !== 'meta') return;
      if (attribs.charset) found = attribs.charset;
      else if (attribs['http-equiv']?.toLowerCase() === 'content-type') found = charsetParam(attribs.content ?? '');
    },
  });
  // latin1 maps bytes to characters one to one, enough to read ASCII tag names in any ASCII-compatible charset.
  parser.end(head.subarray(0, CHARSET_PRESCAN_BYTES).toString('latin1'));
  return found;
}

function charsetParam(contentType: string): string | undefined {
  for (const part of contentType.split(';').slice(1)) {
    const [key, value] = part.split('=');
    if (key?.trim().toLowerCase() === 'charset' && value) return value.trim();
  }
  return undefined;
}

/**
 * A page's bytes as text: the charset of the Content-Type header, else a <meta> charset near the top of the
 * page, else UTF-8 (a BOM wins over both, as in browsers). Unknown charsets fall back the same way.
 */
export function decodeHtml(body: Buffer, contentType: string): string {
  const hasUtf8Bom = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
  const decoder = hasUtf8Bom
    ? new TextDecoder('utf-8')
    : (decoderFor(charsetParam(contentType)) ?? decoderFor(metaCharset(body)) ?? new TextDecoder('utf-8'));
  return decoder.decode(body);
}
