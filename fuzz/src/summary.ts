import { Outcome } from './sender';

export interface RouteSummary {
  route: string;
  requests: number;
  /** Count by status ("dropped" for no answer). */
  statuses: Record<string, number>;
  /** Answers ≥ 500. */
  server: number;
  dropped: number;
}

export interface FuzzSummary {
  totals: { requests: number; server: number; dropped: number; statuses: Record<string, number> };
  routes: RouteSummary[];
  /** Routes of the document no request reached. */
  uncovered: string[];
}

export interface FuzzReport extends FuzzSummary {
  seed: number;
  seconds: number;
  gatewayLiveAfter: number | string;
  exitedApps: string[];
  failures: string[];
}

/** Statuses per route, in the document's route order. */
export function summarize(outcomes: readonly Outcome[], routeNames: readonly string[]): FuzzSummary {
  const byRoute = new Map<string, RouteSummary>(routeNames.map((route) => [route, { route, requests: 0, statuses: {}, server: 0, dropped: 0 }]));
  const totals = { requests: 0, server: 0, dropped: 0, statuses: {} as Record<string, number> };
  for (const o of outcomes) {
    const r = byRoute.get(o.route) ?? { route: o.route, requests: 0, statuses: {}, server: 0, dropped: 0 };
    byRoute.set(o.route, r);
    const key = o.status === undefined ? 'dropped' : String(o.status);
    r.requests++;
    r.statuses[key] = (r.statuses[key] ?? 0) + 1;
    totals.requests++;
    totals.statuses[key] = (totals.statuses[key] ?? 0) + 1;
    if (o.status === undefined) {
      r.dropped++;
      totals.dropped++;
    } else if (o.status >= 500) {
      r.server++;
      totals.server++;
    }
  }
  const routes = [...byRoute.values()];
  return { totals, routes, uncovered: routes.filter((r) => r.requests === 0).map((r) => r.route) };
}

const statusList = (s: Record<string, number>): string =>
  Object.entries(s)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}×${n}`)
    .join(' ');

export function toMarkdown(r: FuzzReport): string {
  const lines = [
    '# Fuzz run',
    '',
    `Seed ${r.seed}: ${r.totals.requests} requests over ${r.routes.length} routes in ${r.seconds.toFixed(1)} s — ${r.totals.server} answers ≥ 500, ${r.totals.dropped} dropped connections; gateway /health/live afterwards: ${r.gatewayLiveAfter}${r.exitedApps.length ? `; exited: ${r.exitedApps.join(', ')}` : ''}.`,
    '',
    `All statuses: ${statusList(r.totals.statuses)}`,
    '',
    '| route | requests | statuses | ≥ 500 | dropped |',
    '|---|---:|---|---:|---:|',
    ...r.routes.map((x) => `| \`${x.route}\` | ${x.requests} | ${statusList(x.statuses)} | ${x.server} | ${x.dropped} |`),
  ];
  if (r.failures.length) lines.push('', '## Failing requests', '', '```', ...r.failures, '```');
  return `${lines.join('\n')}\n`;
}
