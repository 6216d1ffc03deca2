import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import amqp from 'amqplib';
import { Topology } from '@wellifiy/contracts';
import { AppName, APPS, stopApp } from '@wellifiy/testing';
import { EventTap } from './event-tap';
import { checkRow, PoisonLedger, rowPassed } from './checker';
import { FaultReport, FAULTS, RowResult } from './fault-names';
import { sleep } from './infra';
import { redisTopology, SentinelRedis } from './redis-sentinel';
import { DEFAULT_REPLICAS, FaultSystem, pickFreePorts, replicaCounts, smtpPort } from './system';
import { World } from './world';

/*
 * The fault-injection suite: the whole system under a steady message load, one fault at a time, each
 * followed by the checker. `--short` (what the test command runs) keeps every fault but shortens the
 * load windows and the organisation. Writes reports/faults.md and reports/faults-rows.json.
 */

const short = process.argv.includes('--short');
/** `--only <text>`: run only the rows whose names contain it (to reproduce one row; the test command runs them all). */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] ?? '' : undefined;
const root = path.resolve(__dirname, '../../..');
const log = (s: string): void => void process.stdout.write(`[faults] ${s}\n`);

// partitionMs: the shortest partition, longer than two AMQP heartbeats (5 s each, libs/messaging amqp-connection.ts);
// it lasts until both the broker and the client have given the connection up.
/** The partition row waits this long at most for both sides to give the connection up. */
const PARTITION_MAX_MS = 40_000;
const profile = short
  ? { teamMembers: 3, patients: 4, sendIntervalMs: 250, warmMs: 1000, downMs: 1500, afterMs: 1500, partitionMs: 11_000 }
  : { teamMembers: 6, patients: 12, sendIntervalMs: 150, warmMs: 5000, downMs: 5000, afterMs: 5000, partitionMs: 20_000 };

interface Fault {
  name: string;
  /** Injects the fault and brings the system back; resolves when the restart has been started. */
  run(sys: FaultSystem, world: World, problems: string[]): Promise<void>;
}

/** Processes whose readiness depends on each server: they must report not-ready (503) while it is down. */
function dependents(sys: FaultSystem, which: 'rabbit' | 'ferret' | 'redis'): string[] {
  const apps: Record<typeof which, AppName[]> = {
    rabbit: ['gateway', 'channels', 'messages', 'notifications', 'activation-rules'],
    ferret: ['channels', 'messages', 'notifications', 'activation-rules'],
    redis: ['gateway', 'channels', 'messages', 'notifications'],
  };
  return [...sys.instances.values()].filter((i) => apps[which].includes(i.app)).map((i) => i.name);
}

/**
 * Watches, while `during` runs, that the system carried on without the processes in `down`: every other process of
 * their apps and every gateway kept answering ready (at most one slow sample each on this busy machine), and sends
 * made meanwhile were acknowledged. Only where each of those apps has another replica.
 */
async function carriesOn(
  sys: FaultSystem,
  world: World,
  down: string[],
  problems: string[],
  during: () => Promise<void>,
  { gateways = true }: { gateways?: boolean } = {},
): Promise<void> {
  const apps = new Set(down.map((n) => sys.instances.get(n)?.app));
  const survivors = [...sys.instances.values()]
    .filter((i) => !down.includes(i.name) && (apps.has(i.app) || (gateways && i.app === 'gateway')))
    .map((i) => i.name);
  const replicated = [...apps].every((a) => a && sys.replicas[a] > 1);
  const unready = new Map<string, number>();
  let samples = 0;
  let watching = true;
  const from = Date.now();
  const watcher = (async () => {
    while (watching) {
      const status = await sys.readiness();
      samples++;
      for (const n of survivors) if (status[n] !== 200) unready.set(n, (unready.get(n) ?? 0) + 1);
      await sleep(200);
    }
  })();
  try {
    await during();
  } finally {
    watching = false;
    await watcher;
  }
  if (!replicated) return;
  const until = Date.now();
  const bad = [...unready.entries()].filter(([, n]) => n > 1 || n === samples);
  if (bad.length) problems.push(`while ${down.join(', ')} ${down.length > 1 ? 'were' : 'was'} down, not ready: ${bad.map(([n, k]) => `${n} (${k}/${samples} samples)`).join(', ')}`);
  const ackedMeanwhile = world.sends.filter((x) => x.ackedAt && x.startedAt >= from && x.ackedAt < until).length;
  if (!ackedMeanwhile) problems.push(`no send started and acknowledged while ${down.join(', ')} ${down.length > 1 ? 'were' : 'was'} down`);
}

const killServer = (which: 'rabbit' | 'ferret' | 'redis', name: string): Fault => ({
  name,
  async run(sys, _world, problems) {
    const server = sys[which];
    const notReady = new Set<string>();
    let down = true;
    await server.kill();
    const watcher = (async () => {
      while (down) {
        for (const [app, status] of Object.entries(await sys.readiness())) if (status !== 200) notReady.add(app);
        await sleep(200);
      }
    })();
    await sleep(Math.max(profile.downMs, 3000));
    down = false;
    await watcher;
    const stayedReady = dependents(sys, which).filter((app) => !notReady.has(app));
    if (stayedReady.length) problems.push(`readiness stayed 200 while ${server.name} was down: ${stayedReady.join(', ')}`);
    await server.start();
  },
});

/**
 * One node of the suite's RabbitMQ cluster dies under load. Every app must reconnect to the remaining nodes (its
 * AMQP_URLS) and be ready again while the node is still down; the quorum queues keep serving from the majority.
 */
const killRabbitNode = (node: number, name: string): Fault => ({
  name,
  async run(sys, _world, problems) {
    for (const [queue, type] of sys.rabbit.queueTypes()) {
      const perProcess = queue.startsWith('wellifiy.gateway.realtime.') || queue.includes('.instance.') || !queue.startsWith('wellifiy.');
      if (!perProcess && type !== 'quorum') problems.push(`${queue} is a ${type} queue, not a quorum queue`);
    }
    await sys.rabbit.killNode(node);
    await sleep(Math.max(profile.downMs, 3000));
    try {
      await sys.allReady(20_000);
    } catch (err) {
      problems.push(`not every app was ready again while node ${node} was down (reconnect to the others): ${(err as Error).message}`);
    }
    await sys.rabbit.startNode(node);
  },
});

/** Kills the first replica of a service under load; with more than one, the others carry on meanwhile. */
const killService = (app: AppName, name: string): Fault => ({
  name,
  async run(sys, world, problems) {
    await carriesOn(sys, world, [app], problems, async () => {
      await sys.killApp(app);
      await sleep(Math.max(profile.downMs / 2, 1500));
    });
    await sys.startApp(app);
  },
});

/** The last replica of every app killed at once (SIGKILL) under load; the others serve meanwhile; then all restarted. */
const oneReplicaOfEach: Fault = {
  name: FAULTS.oneReplicaOfEach,
  async run(sys, world, problems) {
    const victims = APPS.filter((a) => sys.replicas[a] > 1).map((a) => sys.instancesOf(a).at(-1)?.name as string);
    if (victims.length < APPS.length) problems.push(`only ${victims.join(', ')} have another replica to carry on`);
    await carriesOn(sys, world, victims, problems, async () => {
      await Promise.all(victims.map((v) => sys.killApp(v)));
      await sleep(profile.downMs);
    });
    await Promise.all(victims.map((v) => sys.startApp(v)));
  },
};

/**
 * Every process, app by app and replica by replica, stopped gracefully (SIGTERM: in-flight work finishes or is
 * redelivered) and started again, the next only once it is ready — as a deployment rolls out under load.
 */
const rollingRestart: Fault = {
  name: FAULTS.rollingRestart,
  async run(sys, world, problems) {
    const stops: string[] = [];
    for (const inst of sys.instances.values()) {
      await carriesOn(sys, world, [inst.name], problems, async () => {
        const { exited, ms } = await sys.stopAppGracefully(inst.name);
        stops.push(`${inst.name} ${(ms / 1000).toFixed(1)} s`);
        if (!exited) problems.push(`${inst.name} did not finish its work and exit within 15 s of SIGTERM`);
        await sys.startApp(inst.name);
      });
    }
    log(`graceful stops (SIGTERM to exit): ${stops.join(', ')}`);
  },
};

/**
 * The TCP proxy between one messages replica and RabbitMQ stops forwarding, both ways and silently, for longer than
 * the heartbeat: it stays cut until the broker has given the connection up (handing the replica's unacknowledged
 * commands to the other replicas) and the replica has noticed by its own heartbeat (it turns unready and keeps
 * trying to reconnect), at least profile.partitionMs. Then the path heals and the replica comes back.
 *
 * Until the heartbeat times out, the broker still counts the cut-off replica as a consumer and hands it its share of
 * commands, which then wait unanswered: RPCs routed there time out (the senders retry), and so may the gateways'
 * readiness pings of the messages service. So in this row only the other messages replica must stay ready; the
 * gateways may flap for those seconds.
 */
const brokerPartition: Fault = {
  name: FAULTS.brokerPartition,
  async run(sys, world, problems) {
    const proxy = sys.rabbitProxy;
    if (!proxy.open) problems.push(`${sys.partitioned} had no connection through the proxy to cut`);
    let sawUnready = false;
    await carriesOn(sys, world, [sys.partitioned], problems, async () => {
      const started = Date.now();
      proxy.partition();
      const detected = (): boolean => proxy.upstreamClosedDuringPartition > 0 && sawUnready;
      while (Date.now() - started < profile.partitionMs || (!detected() && Date.now() - started < PARTITION_MAX_MS)) {
        if ((await sys.readiness())[sys.partitioned] !== 200) sawUnready = true;
        await sleep(500);
      }
      const held = Date.now() - started;
      if (!proxy.upstreamClosedDuringPartition) problems.push(`RabbitMQ kept ${sys.partitioned}'s connection through a ${held} ms partition (no heartbeat timeout)`);
      if (!sawUnready) problems.push(`${sys.partitioned} stayed ready through a ${held} ms partition from RabbitMQ`);
      log(`partition of ${held} ms: ${proxy.upstreamClosedDuringPartition} connection(s) given up by RabbitMQ, ${proxy.clientClosedDuringPartition} by ${sys.partitioned}, ${proxy.droppedBytes} bytes dropped`);
      proxy.heal();
    }, { gateways: false });
    await sys.allReady(60_000);
    if (!proxy.forwardedSinceHeal) problems.push(`${sys.partitioned} did not reconnect through the healed path`);
  },
};

/**
 * Restarts `app` with a test-only crash hook (FAULT_HOOKS), waits for the hook to kill it under the load,
 * then starts it normally. The hook only fires in a process that was given it, never in production.
 */
const crashHook = (app: 'messages' | 'notifications', hook: string, name: string): Fault => ({
  name,
  async run(sys, _world, problems) {
    // A graceful stop (SIGTERM) under load first: in-flight work must finish or be redelivered.
    const stopping = sys.app(app).process;
    await stopApp(sys.app(app), 15_000);
    if (stopping.signalCode === 'SIGKILL') problems.push(`${app} did not finish its work and exit within 15 s of SIGTERM`);
    const hooked = await sys.startApp(app, { FAULT_HOOKS: hook }, false);
    const signal = await Promise.race([
      new Promise<string>((r) => hooked.process.once('exit', (_code, sig) => r(String(sig)))),
      sleep(30_000).then(() => 'still running'),
    ]);
    if (signal !== 'SIGKILL') problems.push(`the ${hook} hook did not crash ${app} (${signal})`);
    await sys.killApp(app);
    await sys.startApp(app);
  },
});

const poisonFault = (ledger: PoisonLedger): Fault => ({
  name: FAULTS.poison,
  async run(sys, _world, problems) {
    // Every queue a service consumes (the suite's own tap excepted).
    const queues = [...sys.rabbit.queues().entries()]
      .filter(([name, q]) => q.consumers > 0 && name.startsWith('wellifiy.') && name !== Topology.deadLetterQueue)
      .map(([name]) => name);
    const expectedQueues = ['channels', 'notifications', 'activation-rules'].map((s) => `wellifiy.${s}.events`);
    for (const q of [...expectedQueues, ...['channels', 'messages', 'notifications', 'activation-rules'].map((s) => `wellifiy.${s}.commands`)]) {
      if (!queues.includes(q)) problems.push(`expected a consumer on ${q}`);
    }
    const realtime = queues.filter((q) => q.startsWith('wellifiy.gateway.realtime.')).length;
    if (realtime < sys.replicas.gateway) problems.push(`expected the realtime queues of all ${sys.replicas.gateway} gateways, found ${realtime}`);
    const conn = await amqp.connect(sys.rabbit.url);
    try {
      const ch = await conn.createConfirmChannel();
      const envelope = (type: string, data: unknown): string =>
        JSON.stringify({ id: `evt_${randomUUID()}`, type, source: 'fault-suite', time: new Date().toISOString(), orgId: 'org_poison', data });
      const bodies = [
        ['not JSON', '{"id": "evt_1", "type": '],
        ['wrong shape', JSON.stringify({ hello: 'world', pattern: 42 })],
        ['unknown type', envelope('poison.unknown-type', {})],
        ['invalid payload', envelope('message.created', { message: { id: 42 } })],
      ];
      for (const queue of queues) {
        for (const [kind, body] of bodies) {
          const id = `poison-${randomUUID()}`;
          ledger.expected.set(id, `${queue}: ${kind}`);
          ch.sendToQueue(queue, Buffer.from(body), { persistent: true, contentType: 'application/json', messageId: id });
        }
      }
      await ch.waitForConfirms();
    } finally {
      await conn.close();
    }
    log(`published ${ledger.expected.size} poison messages into ${queues.length} queues`);
  },
});

/**
 * Redis failover (FAULTS_REDIS=sentinel): the primary is SIGKILLed under load, the Sentinels promote the replica,
 * every service's clients follow them without a restart; the old primary comes back as the new one's replica. The
 * BullMQ jobs must still run on the new primary: a digest email is sent after the failover.
 */
const redisFailover: Fault = {
  name: FAULTS.redisFailover,
  async run(sys, world, problems) {
    if (!(sys.redis instanceof SentinelRedis)) throw new Error('the Redis failover row needs FAULTS_REDIS=sentinel');
    const { from, to, ms } = await sys.redis.failover(30_000);
    const promoted = Date.now();
    log(`Redis failover: primary :${from} killed, :${to} promoted by the Sentinels after ${ms} ms`);
    const deadline = promoted + 30_000;
    while (!world.inbox.emails.some((e) => e.at > promoted)) {
      if (Date.now() > deadline) {
        problems.push('no digest email within 30 s of the failover: the digest jobs did not run on the new primary');
        break;
      }
      await sleep(200);
    }
  },
};

const dropClients: Fault = {
  name: FAULTS.clientDrop,
  async run(_sys, world) {
    const half = world.clients.filter((_c, i) => i % 2 === 0);
    for (const c of half) c.drop();
    await sleep(profile.downMs);
    for (const c of half) c.restore();
  },
};

/** One of the two gateways dies under its connected clients; they reconnect to the other, then it comes back. */
const killGateway = (app: 'gateway' | 'gateway-b', name: string): Fault => ({
  name,
  async run(sys, world, problems) {
    await carriesOn(sys, world, [app], problems, async () => {
      await sys.killApp(app);
      await sleep(profile.downMs);
    });
    await sys.startApp(app);
  },
});

function table(rows: RowResult[]): string {
  const head = ['fault', 'sent', 'acknowledged', 'delivered', 'lost', 'duplicated', 'out of order', 'recovery', 'sends retried', 'other checks'];
  const lines = rows.map((r) => [
    r.fault, r.sent, r.acknowledged, r.delivered, r.lost, r.duplicated, r.outOfOrder,
    r.recoveryMs === null ? '—' : `${(r.recoveryMs / 1000).toFixed(1)} s`,
    r.retried ? `${r.retried} (${Object.entries(r.failures).map(([st, n]) => `${st === '0' ? 'no answer' : st}×${n}`).join(', ')})` : '0',
    r.problems.length ? r.problems.join('; ') : 'ok',
  ].map(String));
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...lines.map((l) => `| ${l.join(' | ')} |`)].join('\n');
}

async function main(): Promise<number> {
  const started = Date.now();
  const replicas = replicaCounts(Number(process.env.FAULTS_REPLICAS ?? DEFAULT_REPLICAS));
  const ports = await pickFreePorts({
    replicas,
    basePort: Number(process.env.FAULTS_BASE_PORT ?? 3300),
    rabbitPort: Number(process.env.FAULTS_RABBITMQ_PORT ?? 5673),
    ferretPort: Number(process.env.FAULTS_FERRETDB_PORT ?? 27037),
    redisPort: Number(process.env.FAULTS_REDIS_PORT ?? 6390),
    redis: redisTopology(),
  });
  // The same choice as the development FerretDB's (tools/scripts/lib/infra.sh): PostgreSQL when one answers.
  const backend = process.env.FERRETDB_HANDLER || 'auto';
  if (backend !== 'auto' && backend !== 'postgresql' && backend !== 'sqlite') throw new Error(`FERRETDB_HANDLER must be postgresql or sqlite, not ${backend}`);
  const sys = new FaultSystem({ root, ...ports, ferretBackend: backend, replicas });
  const ledger: PoisonLedger = { expected: new Map(), seen: new Map() };
  const every: Fault[] = [
    killServer('rabbit', FAULTS.rabbitmq),
    killRabbitNode(0, FAULTS.rabbitmqNode),
    killRabbitNode(1, FAULTS.rabbitmqOtherNode),
    killServer('ferret', FAULTS.database),
    killServer('redis', FAULTS.redis),
    ...(ports.redis === 'sentinel' ? [redisFailover] : []),
    killService('channels', FAULTS.channels),
    killService('messages', FAULTS.messages),
    killService('notifications', FAULTS.notifications),
    killService('activation-rules', FAULTS.activationRules),
    killGateway('gateway', FAULTS.gateway),
    killGateway('gateway-b', FAULTS.gatewayB),
    crashHook('messages', 'crash-after-write', FAULTS.crashAfterWrite),
    crashHook('notifications', 'crash-in-handler', FAULTS.crashInHandler),
    poisonFault(ledger),
    dropClients,
    oneReplicaOfEach,
    rollingRestart,
    brokerPartition,
  ];
  const faults = only === undefined ? every : every.filter((f) => f.name.includes(only));
  if (!faults.length) throw new Error(`--only ${only}: no fault row's name contains it`);
  const rows: RowResult[] = [];
  const suiteRow = (problem: string): RowResult => ({ fault: 'suite', sent: 0, acknowledged: 0, delivered: 0, lost: 0, duplicated: 0, outOfOrder: 0, recoveryMs: null, retried: 0, failures: {}, problems: [problem] });
  const writeReport = (done: RowResult[]): void => {
    const seconds = (Date.now() - started) / 1000;
    const topology = sys.topology();
    const md = `${topology}\n\n# Fault injection (${short ? 'short' : 'full'} run${only === undefined ? '' : `, only the rows whose names contain "${only}"`})\n\n${table(done)}\n\nTotal time ${seconds.toFixed(0)} s. ` +
      'Recovery: from the fault until a new message is acknowledged and shown to every member of its channel. ' +
      'Sends retried: sends that needed more than one attempt, with how the failed attempts were answered (HTTP status, or ' +
      'no answer: connection refused or timed out); each was retried under the same clientMessageId, and only acknowledged sends count.\n';
    mkdirSync(path.join(root, 'reports'), { recursive: true });
    writeFileSync(path.join(root, 'reports/faults.md'), md);
    const report: FaultReport = { topology, short, seconds, replicas: sys.replicas, faults: faults.map((f) => f.name), rows: done };
    writeFileSync(path.join(root, 'reports/faults-rows.json'), JSON.stringify(report, null, 2));
    process.stdout.write(`\n${table(done)}\n\n`);
    log(`${done.filter(rowPassed).length}/${done.length} fault rows clean in ${seconds.toFixed(0)} s; written to reports/faults.md`);
  };
  const tap = new EventTap(sys.rabbit.urls);
  let world: World | undefined;
  const stopAll = async (): Promise<void> => {
    world?.close();
    await tap.close();
    await world?.inbox.close().catch(() => undefined);
    await sys.stop();
  };
  // Stopped before the end (the test runner's time limit): the rows run so far are still written, and the rest named.
  const stopEarly = (signal: string, code: number) => (): void => {
    log(`stopped by ${signal} after ${((Date.now() - started) / 1000).toFixed(0)} s, ${rows.length} of ${faults.length} rows run`);
    void stopAll()
      .catch(() => undefined)
      .then(() => {
        const notRun = faults.slice(rows.length).map((f) => f.name);
        writeReport([...rows, suiteRow(`stopped by ${signal} before ${notRun.length} row(s) ran: ${notRun.join(', ')}`)]);
        process.exit(code);
      });
  };
  process.once('SIGINT', stopEarly('SIGINT', 130));
  process.once('SIGTERM', stopEarly('SIGTERM', 143));
  try {
    await sys.start(log);
    log(sys.topology());
    await tap.start();
    world = new World(sys.gatewayUrls, sys.rabbit.url, profile);
    await world.inbox.listen(smtpPort(ports.basePort));
    await world.setUp();
    log(`system up, ${world.users.length} users in ${world.channels.length} channels, after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const fault of faults) {
      const problems: string[] = [];
      world.startLoad(fault.name);
      await sleep(profile.warmMs);
      const t0 = Date.now();
      let recoveryMs: number | null = null;
      try {
        await fault.run(sys, world, problems);
        await sys.allReady(90_000);
        await world.probe(fault.name, 60_000);
        recoveryMs = Date.now() - t0;
      } catch (err) {
        problems.push(`did not recover: ${(err as Error).message}`);
      }
      await sleep(profile.afterMs);
      await world.stopLoad();
      const row = await checkRow(world, sys.rabbit, tap, fault.name, recoveryMs, ledger, problems);
      rows.push(row);
      log(`${rowPassed(row) ? 'ok  ' : 'FAIL'} ${row.fault}: ${row.acknowledged}/${row.sent} acknowledged, ${row.lost} lost, ${row.duplicated} duplicated, ${row.outOfOrder} out of order${row.problems.length ? ` — ${row.problems.join('; ')}` : ''}`);
    }
    const unseen = [...ledger.expected.entries()].filter(([id]) => !ledger.seen.has(id));
    if (unseen.length) rows[rows.findIndex((r) => r.fault.startsWith('poison'))]?.problems.push(`${unseen.length} poison message(s) never reached the dead-letter queue, e.g. ${unseen[0][1]}`);
  } catch (err) {
    log(`the suite could not run: ${(err as Error).stack ?? String(err)}`);
    rows.push(suiteRow((err as Error).message));
  } finally {
    await stopAll();
  }
  writeReport(rows);
  return rows.every(rowPassed) && rows.length === faults.length ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
