import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppName, RunningApp } from '@wellifiy/testing';
import { loadAt } from './load';
import { args } from './options';
import { report } from './report';
import { connectAll, seed } from './seed';
import { Ctx, settle } from './system';

/** With --profile every service writes a V8 CPU profile (reports/profiles/<app>.cpuprofile) when it stops. */
export const profileArgs = (dir: string) => (app: AppName): string[] => [
  ...(args.profile ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${app}.cpuprofile`] : []),
  ...(args['call-sites'] && app !== 'gateway' ? ['--require', path.join(__dirname, 'db-call-sites.js')] : []),
];
const CALL_SITES_RATE = 50;
const CALL_SITES_SECONDS = 6;

/**
 * With --call-sites: one fixed-rate phase only, each service counting its collection calls by call site
 * (db-call-sites.ts); prints them per message sent. The counts start after the seeding (SIGWINCH).
 */
export async function callSites(ctx: Ctx, apps: RunningApp[], dir: string): Promise<void> {
  const { channels, users } = await seed(ctx);
  await connectAll(ctx, users);
  const care = channels.filter((c) => c.members.length <= 6);
  await settle(ctx);
  const traced = apps.filter((a) => a.name !== 'gateway');
  for (const a of traced) a.process.kill('SIGWINCH');
  await new Promise((r) => setTimeout(r, 300));
  const r = await loadAt(ctx, care, CALL_SITES_RATE, CALL_SITES_SECONDS);
  await settle(ctx);
  const sent = Math.max(1, r.ack.count);
  for (const a of traced) a.process.kill('SIGWINCH');
  await new Promise((r) => setTimeout(r, 500));
  for (const u of users) u.socket?.close();
  const rows: [string, string, string][] = [];
  let total = 0;
  for (const a of traced) {
    const file = path.join(dir, `${a.name}.json`);
    const counts = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Record<string, number>;
    for (const [where, n] of Object.entries(counts)) {
      total += n;
      if (n / sent >= 0.005) rows.push([`${a.name}: ${where}`, (n / sent).toFixed(2), '—']);
    }
  }
  rows.sort((a, b) => Number(b[1]) - Number(a[1]));
  rows.push([
    `all services (${sent} messages stored at ${CALL_SITES_RATE}/s, ${r.errors} failed; command monitoring counted ${r.db.commands.toFixed(2)} per message)`,
    (total / sent).toFixed(2),
    '≤ 3',
  ]);
  report.push({ section: 'database calls per message sent, by call site', rows });
}
