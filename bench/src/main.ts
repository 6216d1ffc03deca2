import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createIsolatedVhost, deleteVhost, dropSystemDatabases, RunningApp, startSystem, stopApp, TEST_JWT_SECRET, testInfra, uniqueName } from '@wellifiy/testing';
import { callSites, profileArgs } from './call-sites';
import { bullLateness, rawCeilings } from './ceilings';
import { Histogram } from './histogram';
import { historyPhase } from './history';
import { loadAt } from './load';
import { args, quick, replicas, scale } from './options';
import { fmt, report, writeReport } from './report';
import { connectAll, seed } from './seed';
import { Ctx, gatewaysFrom, http } from './system';

/**
 * Loads the system the way its users do and prints the figures of DESIGN §7 beside their bars (one file per
 * phase: ceilings, seed, load, history, call-sites; options.ts lists the options).
 * Without --gateway it starts its own system (own RabbitMQ vhost, databases and queue prefix).
 */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../../..');
  const callSitesDir = path.join(root, 'reports/db-call-sites');
  let apps: RunningApp[] = [];
  let vhost: string | null = null;
  let dbPrefix: string | null = null;
  let ctx: Ctx;
  if (args.gateway) {
    ctx = { gateway: args.gateway, gateways: gatewaysFrom(args.gateway, replicas), amqpUrl: args.amqp ?? testInfra.amqpUrl, secret: args['jwt-secret'] ?? TEST_JWT_SECRET, orgId: uniqueName('bench-org') };
  } else {
    const broker = createIsolatedVhost(testInfra.amqpUrl);
    vhost = broker.vhost;
    const prefix = uniqueName('bench');
    dbPrefix = prefix;
    mkdirSync(callSitesDir, { recursive: true });
    process.stdout.write(`[bench] starting the system${replicas > 1 ? ` (${replicas} replicas of every service and gateway)` : ''}…\n`);
    apps = await startSystem({
      root,
      basePort: Number(args.port),
      amqpUrl: broker.url,
      redisUrl: testInfra.redisUrl,
      mongoUrl: testInfra.mongoUrl,
      jwtSecret: TEST_JWT_SECRET,
      dbPrefix: prefix,
      nodeEnv: 'test',
      logLevel: process.env.BENCH_LOG_LEVEL ?? 'warn',
      logs: path.join(root, 'reports/bench-logs'),
      extraEnv: {
        gateway: { RATE_LIMIT_PER_MINUTE: '10000000' },
        ...(args['call-sites'] ? Object.fromEntries((['channels', 'messages', 'notifications', 'activation-rules'] as const).map((a) => [a, { DB_CALL_SITES_DIR: callSitesDir }])) : {}),
      },
      nodeArgs: profileArgs(path.join(root, 'reports/profiles')),
    }, 60_000 * replicas, replicas);
    ctx = { gateway: `http://127.0.0.1:${Number(args.port)}`, gateways: gatewaysFrom(`http://127.0.0.1:${Number(args.port)}`, replicas), amqpUrl: broker.url, secret: TEST_JWT_SECRET, orgId: uniqueName('bench-org') };
  }
  const started = Date.now();
  try {
    if (args['call-sites']) {
      if (!apps.length) throw new Error('--call-sites needs the benchmark to start its own system (no --gateway)');
      process.stdout.write('[bench] database calls by call site…\n');
      await callSites(ctx, apps, callSitesDir);
      writeReport(root, started);
      return;
    }
    process.stdout.write('[bench] raw ceilings…\n');
    const ceilings = await rawCeilings(ctx);
    process.stdout.write(`[bench] seeding ${scale.users} users and their channels…\n`);
    const { channels, users } = await seed(ctx);
    const careChannels = channels.filter((c) => c.members.length <= 6);
    await connectAll(ctx, users);
    const fixed: [string, string, string][] = [];
    for (const rate of scale.rates) {
      process.stdout.write(`[bench] ${rate} messages/s with ${users.length} sockets…\n`);
      const r = await loadAt(ctx, careChannels, rate, scale.phaseSeconds);
      fixed.push([`${rate} msg/s: send→ack p50 / p99`, `${fmt(r.ack.p50)} / ${fmt(r.ack.p99)}`, rate === 200 ? 'p99 ≤ 30 ms' : '—']);
      fixed.push([`${rate} msg/s: send→delivered (last recipient) p50 / p99`, `${fmt(r.delivered.p50)} / ${fmt(r.delivered.p99)}`, rate === 200 ? 'p99 ≤ 60 ms' : '—']);
      fixed.push([`${rate} msg/s: errors / undelivered`, `${r.errors} / ${r.undelivered}`, '0 / 0']);
      fixed.push([`${rate} msg/s: load generator lateness p99 (included in the latencies above)`, fmt(r.lag.p99), '—']);
      fixed.push([`${rate} msg/s: CPU by process (% of one core; the machine has ${availableParallelism()})`, r.cpu, '—']);
      fixed.push([
        `${rate} msg/s: database work per message (all services)`,
        `${r.db.commands.toFixed(1)} commands (${r.db.commandsBy}), ${r.db.ms.toFixed(1)} ms of round-trips; writes ${r.db.writes.toFixed(2)} (${r.db.writesBy})`,
        '—',
      ]);
    }
    report.push({ section: `(b) fixed rates, ${users.length} sockets`, rows: fixed });

    const ramp: [string, string, string][] = [];
    let knee: number | null = null;
    let sustained = 0;
    for (const rate of scale.ramp) {
      process.stdout.write(`[bench] ramp: ${rate} messages/s…\n`);
      const r = await loadAt(ctx, careChannels, rate, scale.rampSeconds);
      ramp.push([`${rate} msg/s offered`, `achieved ${r.achieved.toFixed(0)}/s, ack p99 ${fmt(r.ack.p99)}, delivered p99 ${fmt(r.delivered.p99)}, errors ${r.errors}`, '—']);
      if ((r.delivered.p99 ?? Infinity) > 100 || r.errors > 0) {
        knee = rate;
        break;
      }
      sustained = Math.max(sustained, r.achieved);
    }
    ramp.push(['saturation knee (first rate with p99 > 100 ms or errors)', knee === null ? `beyond ${scale.ramp[scale.ramp.length - 1]} msg/s` : `${knee} msg/s`, '≥ 1500 msg/s sustained']);
    // Each message costs at least one database insert and one broker publish: the pipeline is compared with the
    // slowest of the parts it cannot do without.
    const slowest = ceilings.reduce((a, b) => (b.perSecond < a.perSecond ? b : a));
    ramp.push([
      'pipeline throughput (highest rate below the knee) / slowest part',
      `${sustained.toFixed(0)} msg/s = ${((100 * sustained) / slowest.perSecond).toFixed(1)} % of ${slowest.part} (${Math.round(slowest.perSecond)}/s)`,
      '—',
    ]);
    report.push({ section: '(c) ramp to the knee', rows: ramp });

    const fan: [string, string, string][] = [];
    for (const size of scale.fanoutSizes) {
      const c = channels.filter((x) => x.members.length >= size).sort((a, b) => a.members.length - b.members.length)[0];
      if (!c) continue;
      const r = await loadAt(ctx, [c], 20, 2);
      fan.push([
        `channel of ${c.members.length} members: delivered p99; database writes per message`,
        `${fmt(r.delivered.p99)}; ${r.db.writes.toFixed(2)} (${r.db.writesBy})`,
        'writes per message flat',
      ]);
    }
    report.push({ section: '(d) fan-out by channel size', rows: fan });

    const badge = new Histogram();
    for (const u of users.slice(0, quick ? 50 : 300)) {
      const t0 = performance.now();
      await http(ctx, 'GET', '/v1/me/badge', u.token);
      badge.record(performance.now() - t0);
    }
    const catchUp = new Histogram();
    const busy = channels.filter((c) => c.members.length <= 6)[0];
    for (let i = 0; i < 100; i++) await http(ctx, 'POST', `/v1/channels/${busy.id}/messages`, busy.members[1].token, { clientMessageId: `cu-${randomUUID()}`, body: `m ${i}` });
    const page = await http<{ messages: { seq: number }[] }>(ctx, 'GET', `/v1/channels/${busy.id}/messages?limit=1`, busy.members[0].token);
    const top = page.body.messages[0]?.seq ?? 100;
    for (let i = 0; i < (quick ? 20 : 100); i++) {
      const t0 = performance.now();
      const r = await http<{ messages: unknown[] }>(ctx, 'GET', `/v1/channels/${busy.id}/messages?after=${top - 100}&limit=100`, busy.members[0].token);
      if (r.body.messages.length !== 100) throw new Error(`catch-up returned ${r.body.messages.length} messages`);
      catchUp.record(performance.now() - t0);
    }
    report.push({
      section: '(e) reads',
      rows: [
        ['unread summary (GET /v1/me/badge) p50 / p99', `${fmt(badge.percentile(50))} / ${fmt(badge.percentile(99))}`, 'p99 ≤ 15 ms'],
        ['reconnect catch-up of 100 messages p50 / p99', `${fmt(catchUp.percentile(50))} / ${fmt(catchUp.percentile(99))}`, 'p99 ≤ 100 ms'],
      ],
    });
    if (scale.history > 0 && dbPrefix) {
      const group = channels.find((c) => c.members.length >= 10);
      if (!group) throw new Error('no group channel to hold the history');
      await historyPhase({ ctx, dbPrefix, channel: group, sendChannel: careChannels[careChannels.length - 1], max: scale.history, samples: scale.historySamples });
    }
    await bullLateness();
    for (const u of users) u.socket?.close();
  } finally {
    await Promise.all(apps.map((a) => stopApp(a)));
    if (vhost) deleteVhost(vhost);
    if (dbPrefix) await dropSystemDatabases(testInfra.mongoUrl, dbPrefix); // they would pile up run after run
  }
  writeReport(root, started);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[bench] failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
