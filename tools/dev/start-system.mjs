#!/usr/bin/env node
// Starts the five services from dist/ against the infrastructure in the environment, waits until the
// gateway is ready, prints how to use it, and stops everything on Ctrl-C.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { DEV_BASE_PORT, DEV_JWT_SECRET } from './dev-env.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const { startSystem, stopApp } = require(path.join(root, 'dist/libs/testing/src/local-system.js'));
const { canProvision, provisionBrokerUsers, rabbitmqctl } = require(path.join(root, 'dist/libs/testing/src/vhost.js'));

// Each service connects as a RabbitMQ user of its own (wellifiy-dev-<service>, fresh passwords on every start,
// least-privilege permissions), as in docker-compose and k8s. Without a local rabbitmqctl they share AMQP_URL's user.
const brokerUsers = canProvision(process.env.AMQP_URL) ? provisionBrokerUsers(rabbitmqctl, process.env.AMQP_URL, 'wellifiy-dev') : null;
if (!brokerUsers) console.log('[up] no local rabbitmqctl: every service connects with the user of AMQP_URL');

const opts = {
  root,
  basePort: DEV_BASE_PORT,
  amqpUrl: process.env.AMQP_URL,
  brokerUsers,
  redisUrl: process.env.REDIS_URL,
  mongoUrl: process.env.MONGO_URL,
  jwtSecret: DEV_JWT_SECRET,
  dbPrefix: process.env.MONGO_DB_PREFIX || 'wellifiy',
  nodeEnv: 'development',
  logLevel: process.env.LOG_LEVEL || 'log',
  logs: process.env.WELLIFIY_LOG_DIR || path.join(root, '.data/logs'),
};

console.log('[up] starting channels, messages, notifications, activation-rules and gateway…');
let apps = [];
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  console.log('\n[up] stopping services…');
  await Promise.all(apps.map((a) => stopApp(a)));
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  apps = await startSystem(opts);
} catch (err) {
  console.error(`[up] ${err.message} (logs in ${opts.logs})`);
  process.exit(1);
}
for (const a of apps) a.process.on('exit', (code) => !stopping && (console.error(`[up] ${a.name} exited (${code}); see ${opts.logs}/${a.name}.log`), void stop(1)));

const url = `http://localhost:${DEV_BASE_PORT}`;
console.log(`
[up] Wellifiy Messaging is ready at ${url}   (OpenAPI: ${url}/docs, logs: ${opts.logs})

Try a first conversation (another terminal):
  TM=$(npm run -s token -- --user tm_1 --kind team_member --org org_1)
  PT=$(npm run -s token -- --user pt_1 --kind patient --org org_1)
  node tools/dev/publish-event.mjs team-member.created '{"teamMemberId":"tm_1","firstName":"Tess","lastName":"Member"}'
  node tools/dev/publish-event.mjs patient.created '{"patientId":"pt_1","firstName":"Pat","lastName":"Ient"}'
  CH=$(curl -s -X POST -H "Authorization: Bearer $TM" ${url}/v1/patients/pt_1/channels/care_team/activate | node -pe 'JSON.parse(require("fs").readFileSync(0)).id')
  curl -s -X POST -H "Authorization: Bearer $PT" -H 'Content-Type: application/json' \\
       -d '{"clientMessageId":"m1","body":"Hello from the patient"}' ${url}/v1/channels/$CH/messages
  curl -s -H "Authorization: Bearer $TM" ${url}/v1/channels/$CH/messages

Press Ctrl-C to stop.`);
