import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { args, quick, replicas } from './options';

/** Sections of the report, in the order the phases ran. */
export const report: { section: string; rows: [string, string, string][] }[] = [];
export const fmt = (n: number | null | undefined, unit = 'ms'): string => (n === null || n === undefined ? 'n/a' : `${n.toFixed(1)} ${unit}`);

export function writeReport(root: string, started: number): void {
  const lines = [
    `# Wellifiy Messaging benchmark (${args['call-sites'] ? 'call sites' : quick ? 'quick' : 'full'}) — ${new Date().toISOString()}`,
    '',
    `One machine holding every service${replicas > 1 ? ` (${replicas} replicas of each, and of the gateway)` : ''}, the broker, Redis and the database. Took ${Math.round((Date.now() - started) / 1000)} s.`,
    '',
  ];
  for (const s of report) {
    lines.push(`## ${s.section}`, '', '| figure | measured | bar (DESIGN §7) |', '|---|---|---|', ...s.rows.map((r) => `| ${r.join(' | ')} |`), '');
  }
  const text = lines.join('\n');
  process.stdout.write(`\n${text}\n`);
  writeFileSync(path.resolve(root, args.out ?? 'reports/benchmark.md'), text);
}
