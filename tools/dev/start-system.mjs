#!/usr/bin/env node
// Starts the whole product from dist/ against the infrastructure in the environment: a mail catcher for digest emails,
// development Web Push keys, the five services; waits until the gateway is ready, seeds the demo organisation, prints
// how to use it, and stops everything on Ctrl-C.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { DEV_BASE_PORT, DEV_JWT_SECRET } from './dev-env.mjs';
import { DEV_VAPID_SUBJECT, loadOrCreateDevVapidKeys } from './dev-vapid.mjs';
import { startMailCatcher } from './mail-catcher.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { REPLICA_PORT_STRIDE, replicaName, startSystem, stopApp } = require(path.join(root, 'dist/libs/testing/src/local-system.js'));
const { canProvision, provisionBrokerUsers, rabbitmqctl } = require(path.join(root, 'dist/libs/testing/src/vhost.js'));
const { DEMO_ORGANISATION, DEMO_USERS, seedDemoOrganisation } = require(path.join(root, 'dist/libs/demo/src/index.js'));

const amqpUrl = process.env.AMQP_URL || 'amqp://guest:guest@localhost:5672';
const logs = process.env.WELLIFIY_LOG_DIR || path.join(root, '.data/logs');
const url = `http://localhost:${DEV_BASE_PORT}`;
// REPLICAS=n: n processes of every service and gateway (replica r on the ports 10 × r above the first's).
const replicas = Number(process.env.REPLICAS || 1);
if (!Number.isInteger(replicas) || replicas < 1 || replicas > 9) {
  console.error(`[up] REPLICAS must be a whole number from 1 to 9, not ${process.env.REPLICAS}`);
  process.exit(2);
}
const gatewayUrls = Array.from({ length: replicas }, (_v, r) => `http://localhost:${DEV_BASE_PORT + REPLICA_PORT_STRIDE * r}`);

// Each service connects as a RabbitMQ user of its own (wellifiy-dev-<service>, fresh passwords on every start,
// least-privilege permissions), as in docker-compose and k8s. Without a local rabbitmqctl they share AMQP_URL's user.
const brokerUsers = canProvision(amqpUrl) ? provisionBrokerUsers(rabbitmqctl, amqpUrl, 'wellifiy-dev') : null;
if (!brokerUsers) console.log('[up] no local rabbitmqctl: every service connects with the user of AMQP_URL');

const mail = await startMailCatcher({
  smtpPort: Number(process.env.MAILDEV_SMTP_PORT || 1025),
  webPort: Number(process.env.MAILDEV_WEB_PORT || 1080),
  logs,
});
if (!mail) console.log(`[up] the mail catcher (maildev) did not start (ports taken? see ${logs}/maildev.log): digest emails are not sent`);

const vapidFile = path.join(root, '.data/dev-vapid.json');
const vapid = loadOrCreateDevVapidKeys(vapidFile);
if (vapid.created) console.log(`[up] generated development Web Push (VAPID) keys in ${path.relative(root, vapidFile)}`);

const opts = {
  root,
  basePort: DEV_BASE_PORT,
  amqpUrl,
  brokerUsers,
  redisUrl: process.env.REDIS_URL,
  // REDIS_SENTINELS (with REDIS_SENTINEL_NAME) instead: every app asks those Sentinels for the primary.
  ...(process.env.REDIS_SENTINELS ? { redisSentinels: { sentinels: process.env.REDIS_SENTINELS, name: process.env.REDIS_SENTINEL_NAME || 'mymaster' } } : {}),
  mongoUrl: process.env.MONGO_URL,
  jwtSecret: DEV_JWT_SECRET,
  dbPrefix: process.env.MONGO_DB_PREFIX || 'wellifiy',
  nodeEnv: 'development',
  logLevel: process.env.LOG_LEVEL || 'log',
  logs,
  extraEnv: {
    // The console's demo sign-in (refused in production; off unless asked for).
    gateway: { DEV_SIGN_IN: 'true', ...(mail ? { DEV_MAIL_INBOX_URL: mail.inboxUrl } : {}) },
    notifications: {
      ...(mail ? { SMTP_URL: mail.smtpUrl } : {}),
      // A digest "minute" of one second: an unread message's digest arrives within a minute, not a quarter hour.
      DIGEST_MINUTE_MS: process.env.DIGEST_MINUTE_MS || '1000',
      APP_URL: `${url}/console/`,
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: DEV_VAPID_SUBJECT,
    },
  },
};

console.log(`[up] starting channels, messages, notifications, activation-rules and gateway${replicas > 1 ? ` (${replicas} replicas of each)` : ''}…`);
let apps = [];
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('\n[up] stopping services…');
  await Promise.all([...apps.map((a) => stopApp(a)), mail?.stop()]);
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  apps = await startSystem(opts, 60_000 * replicas, replicas);
} catch (err) {
  console.error(`[up] ${err.message} (logs in ${opts.logs})`);
  await mail?.stop();
  process.exit(1);
}
for (const a of apps) {
  const name = replicaName(a.name, a.replica);
  a.process.on('exit', (code) => !stopping && (console.error(`[up] ${name} exited (${code}); see ${opts.logs}/${name}.log`), void stop(1)));
}

// The demo organisation the console signs in to; idempotent, so every start may run it.
let seeded = false;
try {
  const result = await seedDemoOrganisation({ gatewayUrl: `http://127.0.0.1:${DEV_BASE_PORT}`, amqpUrl, jwtSecret: DEV_JWT_SECRET });
  seeded = true;
  console.log(`[up] demo organisation ${DEMO_ORGANISATION.id}: ${result.channelsCreated} channels and ${result.messagesCreated} messages added (0 and 0: seeded before)`);
} catch (err) {
  console.error(`[up] seeding the demo organisation failed: ${err.message}`);
}

const consoleBuilt = existsSync(path.join(root, 'dist/apps/console/index.html'));
const width = Math.max(...DEMO_USERS.map((u) => u.userId.length));
const users = DEMO_USERS.map((u) => {
  const perms = u.permissions.length ? `  [${u.permissions.join(', ')}]` : '';
  return `  ${u.userId.padEnd(width)}  ${u.kind === 'patient' ? 'patient    ' : 'team member'}  ${u.firstName} ${u.lastName}${perms}`;
}).join('\n');
console.log(`
[up] Wellifiy Messaging is ready at ${url}   (OpenAPI: ${url}/docs, events: ${url}/docs/events, logs: ${opts.logs})${
  replicas > 1 ? `\n     ${replicas} replicas of every service; the gateways: ${gatewayUrls.join(', ')}` : ''
}

  Console:     ${url}/console/${consoleBuilt ? '' : '   (not built: dist/apps/console is missing, the gateway answers 404 there)'}
  Mail inbox:  ${mail ? mail.inboxUrl : 'none (the mail catcher did not start)'}   (digest emails, about a minute after an unread message)

Demo users of ${DEMO_ORGANISATION.name} (${DEMO_ORGANISATION.id})${seeded ? '' : ' — NOT seeded, see above'}; sign in on the console, or:
${users}
  TOKEN=$(curl -s -X POST -H 'Content-Type: application/json' -d '{"userId":"tm_demo_manager"}' ${url}/v1/dev/sign-in | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')
  curl -s -H "Authorization: Bearer $TOKEN" ${url}/v1/channels

A conversation of your own (another terminal):
  TM=$(npm run -s token -- --user tm_1 --kind team_member --org org_1)
  PT=$(npm run -s token -- --user pt_1 --kind patient --org org_1)
  node tools/dev/publish-event.mjs team-member.created '{"teamMemberId":"tm_1","firstName":"Tess","lastName":"Member"}'
  node tools/dev/publish-event.mjs patient.created '{"patientId":"pt_1","firstName":"Pat","lastName":"Ient"}'
  CH=$(curl -s -X POST -H "Authorization: Bearer $TM" ${url}/v1/patients/pt_1/channels/care_team/activate | node -pe 'JSON.parse(require("fs").readFileSync(0)).id')
  curl -s -X POST -H "Authorization: Bearer $PT" -H 'Content-Type: application/json' \\
       -d '{"clientMessageId":"m1","body":"Hello from the patient"}' ${url}/v1/channels/$CH/messages
  curl -s -H "Authorization: Bearer $TM" ${url}/v1/channels/$CH/messages

Press Ctrl-C to stop.`);
