#!/usr/bin/env node
// Publishes an inbound event the way the patient service and staff directory do (plain amqplib, CloudEvents JSON):
//   node tools/dev/publish-event.mjs patient.created '{"patientId":"pt_1","firstName":"Pat","lastName":"Ient"}' [orgId]
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';

const [type, json, orgId = 'org_1'] = process.argv.slice(2);
if (!type || !json) {
  console.error('usage: node tools/dev/publish-event.mjs <type> <data-json> [orgId]');
  process.exit(2);
}
const conn = await amqp.connect(process.env.AMQP_URL || 'amqp://guest:guest@localhost:5672');
const ch = await conn.createConfirmChannel();
await ch.assertExchange('wellifiy.events', 'topic', { durable: true });
const event = { id: `evt_${randomUUID()}`, type, source: 'dev-cli', time: new Date().toISOString(), orgId, data: JSON.parse(json) };
ch.publish('wellifiy.events', type, Buffer.from(JSON.stringify(event)), { persistent: true, contentType: 'application/json' });
await ch.waitForConfirms();
await conn.close();
console.log(`published ${type} ${event.id}`);
