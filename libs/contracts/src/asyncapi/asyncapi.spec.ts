import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { EVENT_ENVELOPE_CLASSES, SEALED_EVENT_TYPES } from '../index';
import { buildAsyncApiDocument } from './asyncapi';
import { CLIENT_TO_SERVER_SCHEMAS, SERVER_TO_CLIENT_SCHEMAS } from './socket-schemas';

const parser = new Parser();

async function errorsOf(doc: unknown): Promise<string[]> {
  const diagnostics = await parser.validate(JSON.stringify(doc));
  return diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => `${d.path.join('.')}: ${d.message}`);
}

describe('AsyncAPI document', () => {
  const doc = buildAsyncApiDocument();

  it('is a valid AsyncAPI 3.0.0 document', async () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(await errorsOf(doc)).toEqual([]);
  }, 30_000);

  it('has a channel and a send operation for every broker event, sealed ones with the wire and the opened envelope', () => {
    for (const type of Object.keys(EVENT_ENVELOPE_CLASSES)) {
      const channel = Object.values<any>(doc.channels).find((c) => c.address === type && c.servers[0].$ref === '#/servers/broker');
      expect({ type, found: !!channel }).toEqual({ type, found: true });
      const operation = Object.values<any>(doc.operations).find((o) => o.channel.$ref === `#/channels/broker.${type}`);
      expect(operation?.action).toBe('send');
      const messages = Object.values<any>(channel.messages).map((m) => doc.components.messages[m.$ref.split('/').pop()]);
      if (SEALED_EVENT_TYPES.has(type)) {
        expect(messages.map((m) => Object.keys(m.payload.properties).filter((p) => p === 'data' || p === 'sealed'))).toEqual([['sealed'], ['data']]);
        expect(messages[0].payload.required).toContain('sealed');
        expect(messages[0].payload.required).not.toContain('data');
      } else {
        expect(messages).toHaveLength(1);
        expect(messages[0].payload.required).toContain('data');
      }
      for (const m of messages) expect(m.payload.properties.type.const).toBe(type);
    }
  });

  it('has every Socket.IO event in both directions', () => {
    const socket = (dir: string) => Object.entries<any>(doc.channels).filter(([k]) => k.startsWith(`socket.${dir}.`)).map(([, c]) => c.address).sort();
    expect(socket('server')).toEqual(Object.keys(SERVER_TO_CLIENT_SCHEMAS).sort());
    expect(socket('client')).toEqual(Object.keys(CLIENT_TO_SERVER_SCHEMAS).sort());
    expect(Object.keys(SERVER_TO_CLIENT_SCHEMAS)).toEqual(expect.arrayContaining(['ready', 'message.created', 'typing']));
    expect(Object.values<any>(doc.operations).filter((o) => o.action === 'receive').map((o) => o.channel.$ref)).toEqual(['#/channels/socket.client.typing']);
  });

  it('resolves every $ref and derives class payloads from class-validator metadata', () => {
    const json = JSON.stringify(doc);
    for (const [, path] of json.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      const target = path.split('/').reduce<any>((node, part) => node?.[part], doc);
      expect({ path, resolved: target !== undefined }).toEqual({ path, resolved: true });
    }
    expect(doc.components.schemas.MessageView.properties.body).toBeDefined();
    // @IsOptional() admits null: ChannelSnapshot.patientId is null for channels without a patient
    expect(doc.components.schemas.ChannelSnapshot.properties.patientId).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }] });
    expect(doc.components.schemas.ChannelSnapshot.required).not.toContain('patientId');
    expect(doc.components.schemas.MessageCreatedDataEnvelope.properties.correlationId.anyOf).toContainEqual({ type: 'null' });
    expect(doc.components.schemas.EnvelopeHeader.required).toEqual(expect.arrayContaining(['id', 'type', 'source', 'time', 'orgId']));
  });

  it('the validation fails on a broken document', async () => {
    const broken = structuredClone(doc);
    delete broken.info;
    broken.operations['emit.ready'].action = 'publish';
    broken.channels['socket.server.ready'].messages.ready = { $ref: '#/components/messages/missing' };
    expect((await errorsOf(broken)).length).toBeGreaterThan(0);
    expect(await errorsOf({ asyncapi: '3.0.0', channels: 'nope' })).not.toEqual([]);
  }, 30_000);
});
