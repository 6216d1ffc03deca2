import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@wellifiy/auth';
import { AsyncApiDocument, buildAsyncApiDocument } from '@wellifiy/contracts';

/**
 * The AsyncAPI 3.0.0 document of every broker and Socket.IO event (built from libs/contracts), at
 * /docs/events.json, and a self-contained page listing its channels, operations and messages at /docs/events.
 * Public like /docs; kept out of the REST document, which describes the API, not its documentation.
 */
@Public()
@ApiExcludeController()
@Controller('docs')
export class EventsDocsController {
  private doc?: AsyncApiDocument;
  private page?: string;

  private document(): AsyncApiDocument {
    return (this.doc ??= buildAsyncApiDocument());
  }

  @Get('events.json')
  events(): AsyncApiDocument {
    return this.document();
  }

  @Get('events')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
  eventsPage(): string {
    return (this.page ??= renderEventsPage(this.document()));
  }
}

const esc = (s: unknown): string =>
  String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const anchor = (s: string): string => s.replace(/[^A-Za-z0-9.\-_]/g, '_');
const refName = (ref: string): string => ref.split('/').pop() ?? ref;
const json = (v: unknown): string => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;

/** A plain HTML rendering of the document: no script, no external resource. */
export function renderEventsPage(doc: AsyncApiDocument): string {
  const channels = Object.entries<any>(doc.channels);
  const operations = Object.entries<any>(doc.operations);
  const messages = Object.entries<any>(doc.components.messages);
  const schemas = Object.entries<any>(doc.components.schemas);
  const channelOps = (key: string): string =>
    operations
      .filter(([, op]) => op.channel.$ref === `#/channels/${key}`)
      .map(([id, op]) => `<li><code>${esc(op.action)}</code> ${esc(op.title ?? id)} <small>(${esc(id)})</small></li>`)
      .join('');
  const channelHtml = channels
    .map(([key, ch]) => {
      const msgs = Object.values<any>(ch.messages)
        .map((m) => `<li><a href="#message-${anchor(refName(m.$ref))}">${esc(refName(m.$ref))}</a></li>`)
        .join('');
      return `<section id="channel-${anchor(key)}"><h3><code>${esc(ch.address)}</code> — ${esc(ch.title ?? key)}</h3>`
        + (ch.description ? `<p>${esc(ch.description)}</p>` : '')
        + `<p>Server: <code>${esc(ch.servers.map((s: any) => refName(s.$ref)).join(', '))}</code></p>`
        + `<p>Operations:</p><ul>${channelOps(key)}</ul><p>Messages:</p><ul>${msgs}</ul></section>`;
    })
    .join('\n');
  const messageHtml = messages
    .map(([key, m]) => `<section id="message-${anchor(key)}"><h3>${esc(m.title ?? key)}</h3>`
      + (m.summary ? `<p>${esc(m.summary)}</p>` : '')
      + `<details open><summary>Payload</summary>${json(m.payload)}</details></section>`)
    .join('\n');
  const schemaHtml = schemas
    .map(([name, s]) => `<section id="schema-${anchor(name)}"><details><summary><code>${esc(name)}</code></summary>${json(s)}</details></section>`)
    .join('\n');
  const servers = Object.entries<any>(doc.servers)
    .map(([name, s]) => `<li><code>${esc(name)}</code>: ${esc(s.protocol)}://${esc(s.host)}${esc(s.pathname ?? '')} — ${esc(s.description ?? '')}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;line-height:1.4}
pre{background:#f4f4f4;padding:.5rem;overflow:auto;font-size:.85rem}section{border-top:1px solid #ddd;padding:.25rem 0}</style>
</head><body>
<h1>${esc(doc.info.title)} <small>AsyncAPI ${esc(doc.asyncapi)}</small></h1>
<p>${esc(doc.info.description ?? '')}</p>
<p>The document: <a href="events.json">events.json</a>. The REST API: <a href="../docs">/docs</a>.</p>
<h2>Servers</h2><ul>${servers}</ul>
<h2>Channels (${channels.length})</h2>
${channelHtml}
<h2>Messages (${messages.length})</h2>
${messageHtml}
<h2>Schemas (${schemas.length})</h2>
${schemaHtml}
</body></html>
`;
}
