import { MESSAGE_BODY_MAX_LENGTH } from '@wellifiy/contracts';
import { decodeHtml, firstUrl, parsePreview } from './html-preview';

describe('firstUrl', () => {
  it.each([
    ['see https://example.com/a?b=1.', 'https://example.com/a?b=1'],
    ['(http://example.org/x)', 'http://example.org/x'],
    ['two: https://a.example and https://b.example', 'https://a.example'],
  ])('%s → %s', (body, url) => {
    expect(firstUrl(body)).toBe(url);
  });

  it.each([['no link here'], ['ftp://example.com/file'], ['javascript:alert(1)']])('%s → null', (body) => {
    expect(firstUrl(body)).toBeNull();
  });
});

describe('parsePreview', () => {
  const page = new URL('https://news.example/story/1');

  it('reads Open Graph tags, resolves a relative image and decodes entities', () => {
    const html = `<html><head><title>Fallback</title>
      <meta property="og:title" content="Big &amp; Bold">
      <meta content='A story' property='og:description'>
      <meta property="og:image" content="/img/cover.png">
      <meta property="og:site_name" content="News Example"></head></html>`;
    expect(parsePreview(html, page)).toEqual({
      url: page.toString(),
      title: 'Big & Bold',
      description: 'A story',
      imageUrl: 'https://news.example/img/cover.png',
      siteName: 'News Example',
    });
  });

  it('falls back to <title>, meta description and the host name', () => {
    const html = '<title> Plain\n page </title><meta name="description" content="Plain description">';
    expect(parsePreview(html, page)).toEqual({ url: page.toString(), title: 'Plain page', description: 'Plain description', siteName: 'news.example' });
  });

  it('drops an image URL with a non-web scheme', () => {
    expect(parsePreview('<meta property="og:image" content="javascript:alert(1)">', page).imageUrl).toBeUndefined();
  });
});

describe('decodeHtml', () => {
  const cafe = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in windows-1252

  it('decodes by the charset of the Content-Type header', () => {
    expect(decodeHtml(Buffer.concat([Buffer.from('<title>'), cafe]), 'text/html; charset=windows-1252')).toBe('<title>café');
  });

  it('decodes by a <meta charset> near the top of the page when the header names none', () => {
    const body = Buffer.concat([Buffer.from('<meta charset="iso-8859-1"><title>'), cafe]);
    expect(parsePreview(decodeHtml(body, 'text/html'), new URL('https://x.example/')).title).toBe('café');
  });

  it('reads UTF-8 when nothing names a charset, and when the named one is unknown', () => {
    const utf8 = Buffer.from('<title>café</title>');
    expect(decodeHtml(utf8, 'text/html')).toBe('<title>café</title>');
    expect(decodeHtml(utf8, 'text/html; charset=no-such-charset')).toBe('<title>café</title>');
  });
});

/*
 * Item 4 (quadratic parsing of untrusted input): every parse of a crafted worst case at the size caps
 * (512 KB of page, 10,000 characters of message body) finishes within a second. The regexes this replaced
 * took tens of seconds on several of these (45 s for `<meta ` repeated).
 */
describe('item 4: untrusted input is parsed in linear time', () => {
  const PAGE_CAP = 512 * 1024;
  const page = new URL('https://x.example/');
  const fill = (unit: string, size: number): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  const elapsedMs = (fn: () => unknown): number => {
    const start = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - start) / 1e6;
  };

  it.each([
    ['"<meta " repeated', fill('<meta ', PAGE_CAP)],
    ['"<title>" repeated, never closed', fill('<title>', PAGE_CAP)],
    ['one <meta> with an endless attribute list', '<meta ' + fill('content=a ', PAGE_CAP)],
    ['an unterminated quoted attribute', '<meta property="og:title" content="' + fill('a', PAGE_CAP)],
    ['numeric entities without a semicolon', '<title>' + fill('&#x', PAGE_CAP)],
    ['comment openers', fill('<!--', PAGE_CAP)],
    ['a whitespace-only title', '<title>' + fill(' \n', PAGE_CAP) + '</title>'],
  ])('512 KB of %s is previewed within a second', (_name, html) => {
    expect(html.length).toBeGreaterThanOrEqual(PAGE_CAP);
    expect(elapsedMs(() => parsePreview(html, page))).toBeLessThan(1000);
  });

  it.each([
    ['a URL ending in a long run of punctuation', 'https://a.example/' + fill('.', 9_000) + 'x'],
    ['a URL made of brackets and dots', 'https://a.example/' + fill(').', 9_000) + 'x'],
    ['scheme fragments with no URL', fill('http:/', 10_000)],
  ])('a message body with %s is scanned within a second, at the body cap and at ten times it', (_name, body) => {
    expect(elapsedMs(() => firstUrl(body.slice(0, MESSAGE_BODY_MAX_LENGTH)))).toBeLessThan(1000);
    // Ten times the cap, so a quadratic scan cannot hide under the budget on a fast machine.
    const long = body.slice(0, -1).padEnd(10 * MESSAGE_BODY_MAX_LENGTH, body[body.length - 2]) + body.slice(-1);
    expect(elapsedMs(() => firstUrl(long))).toBeLessThan(1000);
  });

  it('still trims the trailing punctuation of a long URL', () => {
    expect(firstUrl(`see https://a.example/${'b'.repeat(5_000)}${'.)'.repeat(2_000)}`)).toBe(`https://a.example/${'b'.repeat(5_000)}`);
  });
});
