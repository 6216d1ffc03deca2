import { firstUrl, parsePreview } from './html-preview';

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
