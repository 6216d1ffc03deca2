/*
 * k8s/observability: every metric an alert rule or a dashboard panel queries is one the code registers (names
 * parsed out of the PromQL and out of the sources), each alert has a severity, a summary and a `for` or an
 * increase window, the dashboard's panels cover what the operations issue asks for, and the directory is a
 * kustomization of its own that k8s/kustomization.yaml does not include (real-parsers.int-spec.ts builds it).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const read = (rel: string): string => readFileSync(path.join(ROOT, rel), 'utf8');

type Kind = 'counter' | 'gauge' | 'histogram' | 'summary';

/** Series Prometheus itself makes for every target. */
const PROMETHEUS_SERIES: ReadonlySet<string> = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

const PROMQL_WORDS: ReadonlySet<string> = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'histogram_quantile', 'abs', 'absent', 'clamp_min', 'clamp_max',
  'label_values', 'label_replace', 'vector', 'scalar', 'time', 'inf', 'nan',
]);

/** Metric names registered by the code: `counter('x'`, `histogram('x'`, `gauge('x'` in apps/ and libs/, plus prom-client's defaults. */
export function registeredMetrics(files: { file: string; text: string }[]): Map<string, Kind> {
  const out = new Map<string, Kind>();
  for (const { text } of files) {
    for (const m of text.matchAll(/\b(counter|gauge|histogram)\(\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'/g)) out.set(m[2], m[1] as Kind);
  }
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  for (const metric of defaults.getMetricsAsArray()) out.set(metric.name, (metric as unknown as { type: Kind }).type);
  return out;
}

/** The series names a PromQL expression reads (functions, keywords, label names and values, durations left out). */
export function seriesOf(expr: string): string[] {
  const stripped = expr
    .replace(/label_values\(\s*([^,)]+),[^)]*\)/g, '$1')
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$__\w+|\$\w+/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (m[2] || PROMQL_WORDS.has(m[1].toLowerCase()) || /^\d/.test(m[1])) continue;
    if (/^[0-9.]+(e\d+)?$/i.test(m[1])) continue;
    names.add(m[1]);
  }
  return [...names];
}

/** Why `series` is not one the code exposes, or undefined when it is (histograms expose _bucket, _count and _sum). */
export function unknownSeries(series: string, registered: Map<string, Kind>): string | undefined {
  if (PROMETHEUS_SERIES.has(series) || registered.has(series)) return undefined;
  const base = series.replace(/_(bucket|count|sum)$/, '');
  if (base !== series && (registered.get(base) === 'histogram' || registered.get(base) === 'summary')) return undefined;
  return `${series} is not registered by the code`;
}

function sources(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir))) {
    const rel = path.join(dir, entry);
    if (entry === 'node_modules' || entry === 'dist') continue;
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (/\.ts$/.test(entry) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry)) out.push({ file: rel, text: read(rel) });
  }
  return out;
}

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

const rulesDoc = parse(read('k8s/observability/prometheus-rules.yaml')) as { kind: string; spec: { groups: { name: string; rules: Rule[] }[] } };
const rules = rulesDoc.spec.groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(read('k8s/observability/wellifiy-messaging.dashboard.json')) as { uid: string; panels: Panel[]; templating: { list: { query?: unknown }[] } };
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const registered = registeredMetrics([...sources('apps'), ...sources('libs')]);

describe('k8s/observability', () => {
  it('finds the metrics the code registers (the parser is really reading the sources)', () => {
    for (const name of ['http_request_duration_seconds', 'rpc_client_duration_seconds', 'rpc_server_duration_seconds', 'event_handling_duration_seconds', 'bullmq_job_lateness_seconds']) {
      expect(registered.get(name)).toBe('histogram');
    }
    for (const name of ['rabbitmq_queue_messages', 'outbox_backlog', 'realtime_sockets', 'bullmq_jobs', 'health_ready', 'downstream_service_up']) expect(registered.get(name)).toBe('gauge');
    expect(registered.get('event_dead_letters_total')).toBe('counter');
    expect(registered.get('process_cpu_seconds_total')).toBe('counter');
  });

  it('every metric an alert rule queries is registered by the code', () => {
    expect(rulesDoc.kind).toBe('PrometheusRule');
    const problems = rules.flatMap((r) => seriesOf(r.expr).map((s) => unknownSeries(s, registered)).filter(Boolean).map((p) => `${r.alert}: ${p}`));
    expect(problems).toEqual([]);
    expect(rules.filter((r) => seriesOf(r.expr).length === 0).map((r) => r.alert)).toEqual([]);
  });

  it('every metric a dashboard panel or variable queries is registered by the code', () => {
    const exprs = [
      ...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr }))),
      ...dashboard.templating.list.flatMap((v) => (v.query && typeof v.query === 'object' ? [{ where: 'variable', expr: String((v.query as { query: string }).query) }] : [])),
    ];
    expect(exprs.length).toBeGreaterThan(15);
    const problems = exprs.flatMap(({ where, expr }) => seriesOf(expr).map((s) => unknownSeries(s, registered)).filter(Boolean).map((p) => `${where}: ${p}`));
    expect(problems).toEqual([]);
    expect(panels.filter((p) => !(p.targets ?? []).length).map((p) => p.title)).toEqual([]);
  });

  it('the checker reports a metric nobody registers, and reads names out of PromQL, not functions, labels or durations', () => {
    expect(seriesOf('histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{route!="unmatched", status=~"5xx"}[5m]))) > 1')).toEqual([
      'http_request_duration_seconds_bucket',
    ]);
    expect(seriesOf('sum(rate(a_total[1m])) / on (service) group_left b_info')).toEqual(['a_total', 'b_info']);
    expect(seriesOf('label_values(health_ready, service)')).toEqual(['health_ready']);
    expect(unknownSeries('messages_sent_totl', registered)).toBe('messages_sent_totl is not registered by the code');
    expect(unknownSeries('outbox_backlog_bucket', registered)).toMatch(/not registered/);
    expect(unknownSeries('rpc_server_duration_seconds_count', registered)).toBeUndefined();
  });

  it('each alert has a severity, a summary, a description and waits (for) or looks back over a window', () => {
    const problems = rules.flatMap((r) => [
      ...(!r.alert ? ['a rule without alert name'] : []),
      ...(!['critical', 'warning'].includes(r.labels?.severity ?? '') ? [`${r.alert}: severity`] : []),
      ...(!r.annotations?.summary || !r.annotations?.description ? [`${r.alert}: summary/description`] : []),
      ...(!r.for && !/\[\d+[smh]\]/.test(r.expr) ? [`${r.alert}: neither for nor a range`] : []),
    ]);
    expect(problems).toEqual([]);
  });

  it('alerts on error rate, p99 latency, dead letters, outbox backlog, queue depth, job lateness and readiness', () => {
    const reads = (metric: string): string[] => rules.filter((r) => seriesOf(r.expr).some((s) => s.startsWith(metric))).map((r) => r.alert ?? '');
    expect(reads('http_request_duration_seconds_count').length).toBeGreaterThanOrEqual(1);
    expect(rules.filter((r) => /histogram_quantile\(0\.99/.test(r.expr)).length).toBeGreaterThanOrEqual(2);
    expect(reads('event_dead_letters_total')).toHaveLength(1);
    expect(reads('outbox_backlog')).toHaveLength(1);
    expect(reads('rabbitmq_queue_messages').length).toBeGreaterThanOrEqual(1);
    expect(reads('bullmq_job_lateness_seconds_bucket')).toHaveLength(1);
    expect(reads('health_ready')).toHaveLength(1);
  });

  it('the dashboard has a panel for each group of metrics', () => {
    const queried = new Set(panels.flatMap((p) => (p.targets ?? []).flatMap((t) => seriesOf(t.expr))));
    const wanted = [
      'http_request_duration_seconds_bucket', 'rpc_client_duration_seconds_count', 'rpc_server_duration_seconds_bucket', 'event_handling_duration_seconds_count',
      'event_retries_total', 'event_dead_letters_total', 'rabbitmq_queue_messages', 'outbox_backlog', 'realtime_sockets', 'bullmq_jobs',
      'bullmq_job_lateness_seconds_bucket', 'health_ready',
    ];
    expect(wanted.filter((m) => !queried.has(m))).toEqual([]);
    expect(new Set(dashboard.panels.map((p) => (p as { id?: number }).id)).size).toBe(dashboard.panels.length);
  });

  it('is a kustomization of its own (rules and the dashboard ConfigMap), left out of k8s/kustomization.yaml', () => {
    const own = parse(read('k8s/observability/kustomization.yaml')) as { resources: string[]; configMapGenerator: { files: string[]; options: { labels: Record<string, string> } }[] };
    expect(own.resources).toEqual(['prometheus-rules.yaml']);
    expect(own.configMapGenerator[0].files).toEqual(['wellifiy-messaging.dashboard.json']);
    expect(own.configMapGenerator[0].options.labels).toEqual({ grafana_dashboard: '1' });
    // The application applies on clusters without prometheus-operator: its kustomization does not pull the CRD kinds in.
    const app = parse(read('k8s/kustomization.yaml')) as { resources: string[] };
    expect(app.resources.filter((r) => r.startsWith('observability'))).toEqual([]);
  });
});
