/* Keeps the deployment files (Dockerfile, docker-compose.yml, k8s/, .env.example) in step with the apps'
 * config classes. The required variables are derived from the classes' class-validator metadata, so a
 * variable added to a class fails this test until every deployment file provides it. */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { createECDH, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, IS_OPTIONAL, ValidationTypes, validateSync } from 'class-validator';
import { parse, parseAllDocuments } from 'yaml';
import { amqpUserOf, CommonConfig, ConfigError, DEFAULT_AMQP_USERS, isDevelopmentSecret, loadConfig, MongoConfig, parseAmqpUsers } from '@wellifiy/config';
import { AMQP_PROCESSES, AmqpProcess, allBrokerPermissions } from '@wellifiy/contracts';
import { ActivationRulesConfig } from '../../apps/activation-rules/src/config/activation-rules.config';
import { ChannelsConfig } from '../../apps/channels/src/config/channels.config';
import { GatewayConfig } from '../../apps/gateway/src/config/gateway.config';
import { MessagesConfig } from '../../apps/messages/src/config/messages.config';
import { NotificationsConfig } from '../../apps/notifications/src/config/notifications.config';

const ROOT = path.resolve(__dirname, '../..');

type ConfigClass = new () => object;
type Env = Record<string, string>;
// Parsed YAML is untyped; the checkers navigate it defensively and report what they cannot find.
type Yaml = any;

interface AppSpec {
  name: string;
  config: ConfigClass;
  port: number;
}

const APPS: AppSpec[] = [
  { name: 'gateway', config: GatewayConfig, port: 3000 },
  { name: 'channels', config: ChannelsConfig, port: 3001 },
  { name: 'messages', config: MessagesConfig, port: 3002 },
  { name: 'notifications', config: NotificationsConfig, port: 3003 },
  { name: 'activation-rules', config: ActivationRulesConfig, port: 3004 },
];

/** Which compose infrastructure service a variable needs (as a depends_on with condition service_healthy). */
const INFRA_FOR_VARIABLE: Record<string, string> = { AMQP_URL: 'rabbitmq', MONGO_URL: 'mongo', REDIS_URL: 'redis' };
/** Variables holding credentials: k8s must take them from a Secret, never a ConfigMap or a literal. */
const SECRET_VARIABLE = /(_URL$|SECRET|PASSWORD|TOKEN|PRIVATE_KEY)/;

// ---------------------------------------------------------------------------------------------------------
// Config classes → variables
// ---------------------------------------------------------------------------------------------------------

/** Every variable the class declares: validated properties plus initialised ones. */
function configVariables(cls: ConfigClass): string[] {
  const names = new Set<string>(Object.keys(new cls()));
  for (const m of getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false)) names.add(m.propertyName);
  return [...names].sort();
}

/**
 * Variables the app cannot boot without, under its default settings overlaid with `settings` (a deployment's
 * environment): no initialiser, no @IsOptional, and every @ValidateIf condition holds (e.g. JWT_SECRET when
 * JWT_ALGORITHM is HS256, the default; JWT_JWKS_URL when a deployment sets RS256).
 */
function requiredVariables(cls: ConfigClass, settings: Env = {}): string[] {
  const defaults = { ...(new cls() as Record<string, unknown>), ...settings };
  const metadata = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  return configVariables(cls).filter((name) => {
    if ((new cls() as Record<string, unknown>)[name] !== undefined) return false;
    const conditions = metadata.filter((m) => m.propertyName === name && m.type === ValidationTypes.CONDITIONAL_VALIDATION);
    if (conditions.some((m) => m.name === IS_OPTIONAL)) return false;
    return conditions.every((m) => (m.constraints[0] as (o: object, v: unknown) => boolean)(defaults, undefined));
  });
}

/** What boot validation itself rejects when the environment is empty: used to cross-check the detector. */
function variablesRejectedWhenUnset(cls: ConfigClass): string[] {
  const instance = plainToInstance(cls, {}, { exposeDefaultValues: true });
  return [...new Set(validateSync(instance, { whitelist: true }).map((e) => e.property))].sort();
}

/** Runs the app's own boot validation on an environment; returns its problems (empty when it would boot). */
function bootProblems(cls: ConfigClass, env: Env): string[] {
  try {
    loadConfig(cls, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

const ALL_VARIABLES = [...new Set(APPS.flatMap((a) => configVariables(a.config)))].sort();

// ---------------------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------------------

function read(relative: string): string {
  return readFileSync(path.join(ROOT, relative), 'utf8');
}

/** A tag or digest is present and the tag is not `latest`. */
function imageProblem(image: unknown): string | undefined {
  if (typeof image !== 'string' || !image) return 'no image';
  if (image.includes('$')) return `image "${image}" is not a literal`;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const lastSegment = image.split('/').pop() ?? '';
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
  if (!tag) return `image "${image}" has no tag`;
  if (tag === 'latest') return `image "${image}" uses :latest`;
  return undefined;
}

/**
 * docker compose interpolation of the forms this repo uses, with the variables of `dotEnv` (the .env that
 * `npm run secrets` writes): `${VAR:-default}` and `${VAR-default}`, `${VAR}`, and `${VAR:?message}` (required:
 * unset in .env, compose would refuse to start).
 */
function composeValue(raw: unknown, dotEnv: Env = {}): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const text = String(raw);
  if (/\$\{[A-Z0-9_]+\}/.test(text)) return undefined;
  let missing = false;
  const resolved = text
    .replace(/\$\{([A-Z0-9_]+):\?[^}]*\}/g, (_m, name: string) => dotEnv[name] ?? ((missing = true), ''))
    .replace(/\$\{([A-Z0-9_]+):?-([^}]*)\}/g, (_m, name: string, fallback: string) => dotEnv[name] ?? fallback);
  return missing ? undefined : resolved;
}

/** What `npm run secrets [-- args]` would write to .env (fresh random values, printed, nothing written). */
function generatedDotEnv(args: string[] = []): Env {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'tools/dev/secrets.mjs'), '--stdout', ...args], { encoding: 'utf8' });
  return Object.fromEntries(out.split('\n').filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}
const DOT_ENV = generatedDotEnv();

function composeEnvironment(service: Yaml, dotEnv: Env = DOT_ENV): Env {
  const env: Env = {};
  const raw = service?.environment;
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((line: string) => {
        const i = String(line).indexOf('=');
        return i < 0 ? [line, undefined] : [line.slice(0, i), line.slice(i + 1)];
      })
    : Object.entries(raw ?? {});
  for (const [name, value] of entries) {
    const resolved = composeValue(value, dotEnv);
    if (resolved !== undefined) env[name] = resolved;
  }
  return env;
}

// ---------------------------------------------------------------------------------------------------------
// docker-compose.yml
// ---------------------------------------------------------------------------------------------------------

function composeProblems(compose: Yaml): string[] {
  const problems: string[] = [];
  const services: Record<string, Yaml> = compose?.services ?? {};

  for (const infra of ['mongo', 'rabbitmq', 'redis']) {
    const service = services[infra];
    if (!service) {
      problems.push(`compose: no "${infra}" service`);
      continue;
    }
    const bad = imageProblem(service.image);
    if (bad) problems.push(`compose ${infra}: ${bad}`);
    if (!service.healthcheck?.test) problems.push(`compose ${infra}: no healthcheck`);
  }

  for (const app of APPS) {
    const service = services[app.name];
    if (!service) {
      problems.push(`compose: no service "${app.name}"`);
      continue;
    }
    const build = typeof service.build === 'string' ? { context: service.build } : service.build;
    if (!build) problems.push(`compose ${app.name}: not built from the Dockerfile`);
    else {
      const dockerfile = build.dockerfile ?? 'Dockerfile';
      if (path.resolve(ROOT, build.context ?? '.', dockerfile) !== path.join(ROOT, 'Dockerfile'))
        problems.push(`compose ${app.name}: built from ${dockerfile} in ${build.context}, not the root Dockerfile`);
      const args = Array.isArray(build.args)
        ? Object.fromEntries(build.args.map((a: string) => a.split('=')))
        : (build.args ?? {});
      if (args.APP !== app.name) problems.push(`compose ${app.name}: build args APP is ${args.APP}, expected ${app.name}`);
    }
    if (service.image !== undefined) {
      const bad = imageProblem(service.image);
      if (bad) problems.push(`compose ${app.name}: ${bad}`);
    }

    const env = composeEnvironment(service);
    const known = configVariables(app.config);
    for (const name of requiredVariables(app.config))
      if (env[name] === undefined) problems.push(`compose ${app.name}: required variable ${name} is not set`);
    for (const name of Object.keys(env))
      if (!known.includes(name)) problems.push(`compose ${app.name}: sets ${name}, which ${app.config.name} does not declare`);
    for (const [name, value] of Object.entries(env))
      if (/_URL$/.test(name) && /localhost|127\.0\.0\.1/.test(value))
        problems.push(`compose ${app.name}: ${name} points at localhost, which inside a container is the app itself`);
    if (known.includes('HTTP_PORT') && env.HTTP_PORT !== String(app.port))
      problems.push(`compose ${app.name}: HTTP_PORT is ${env.HTTP_PORT}, expected ${app.port}`);
    if (known.includes('MONGO_DB') && env.MONGO_DB !== `wellifiy-${app.name}`)
      problems.push(`compose ${app.name}: MONGO_DB is ${env.MONGO_DB}, expected its own database wellifiy-${app.name}`);
    for (const problem of bootProblems(app.config, env)) problems.push(`compose ${app.name}: would not boot: ${problem}`);

    const dependsOn: Record<string, Yaml> = Array.isArray(service.depends_on)
      ? Object.fromEntries(service.depends_on.map((d: string) => [d, {}]))
      : (service.depends_on ?? {});
    for (const name of requiredVariables(app.config)) {
      const infra = INFRA_FOR_VARIABLE[name];
      if (!infra) continue;
      if (!dependsOn[infra]) problems.push(`compose ${app.name}: needs ${name} but has no depends_on ${infra}`);
      else if (dependsOn[infra].condition !== 'service_healthy')
        problems.push(`compose ${app.name}: depends_on ${infra} without condition service_healthy`);
    }

    const check = service.healthcheck?.test;
    const checkText = Array.isArray(check) ? check.join(' ') : String(check ?? '');
    if (!checkText.includes('/health/ready')) problems.push(`compose ${app.name}: healthcheck does not hit /health/ready`);
  }

  if (!services.gateway?.ports?.some((p: unknown) => /(^|:)3000(\/tcp)?$/.test(String(typeof p === 'object' ? (p as Yaml).target : p))))
    problems.push('compose gateway: port 3000 is not published');
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// k8s/
// ---------------------------------------------------------------------------------------------------------

interface K8s {
  docs: Yaml[];
  configMaps: Map<string, Env>;
  secrets: Map<string, Env>;
}

function loadYamlDocuments(relative: string): Yaml[] {
  return parseAllDocuments(read(relative)).map((doc) => {
    if (doc.errors.length) throw new Error(`${relative}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS();
  });
}

function stringMap(data: Yaml): Env {
  return Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, String(v)]));
}

function loadK8s(): K8s {
  const files = readdirSync(path.join(ROOT, 'k8s')).filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f));
  const docs = files.flatMap((f) => loadYamlDocuments(`k8s/${f}`)).filter(Boolean);
  const configMaps = new Map<string, Env>();
  const secrets = new Map<string, Env>();
  for (const doc of docs) {
    if (doc.kind === 'ConfigMap') configMaps.set(doc.metadata.name, stringMap(doc.data));
    if (doc.kind === 'Secret') {
      const decoded = Object.fromEntries(Object.entries(doc.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()]));
      secrets.set(doc.metadata.name, { ...decoded, ...stringMap(doc.stringData) });
    }
  }
  return { docs, configMaps, secrets };
}

/**
 * The example Secret's values as an operator fills them in: every REPLACE_ME placeholder becomes a fresh random
 * value of the right shape (production refuses placeholders, and must boot on what replaces them).
 */
function filledSecretValue(key: string, value: string): string {
  if (!/REPLACE_ME/.test(value)) return value;
  if (key === 'ENCRYPTION_KEYS') return value.replace(/REPLACE_ME[A-Z0-9_]*/g, randomBytes(32).toString('base64'));
  if (key === 'VAPID_PRIVATE_KEY' || key === 'VAPID_PUBLIC_KEY') {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    return (key === 'VAPID_PUBLIC_KEY' ? ecdh.getPublicKey() : ecdh.getPrivateKey()).toString('base64url');
  }
  return value.replace(/REPLACE_ME_PASSWORD/g, randomBytes(18).toString('hex')).replace(/REPLACE_ME[A-Z0-9_]*/g, 'svc');
}

/** The container's environment as the kubelet would build it, with the Secret's example values filled in. */
function containerEnvironment(container: Yaml, k8s: K8s, where: string, problems: string[]): { env: Env; fromSecret: Set<string> } {
  const env: Env = {};
  const fromSecret = new Set<string>();
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const data = k8s.configMaps.get(source.configMapRef.name);
      if (!data) problems.push(`${where}: envFrom ConfigMap ${source.configMapRef.name} is not defined in k8s/`);
      Object.assign(env, data ?? {});
    }
    if (source.secretRef) {
      const data = k8s.secrets.get(source.secretRef.name);
      if (!data) problems.push(`${where}: envFrom Secret ${source.secretRef.name} is not described in k8s/secrets.example.yaml`);
      for (const [k, v] of Object.entries(data ?? {})) {
        env[k] = v;
        fromSecret.add(k);
      }
    }
  }
  for (const entry of container.env ?? []) {
    const cmRef = entry.valueFrom?.configMapKeyRef;
    const secretRef = entry.valueFrom?.secretKeyRef;
    if (secretRef) {
      const value = k8s.secrets.get(secretRef.name)?.[secretRef.key];
      if (value === undefined) problems.push(`${where}: ${entry.name} references Secret ${secretRef.name} key ${secretRef.key}, not in k8s/secrets.example.yaml`);
      else env[entry.name] = filledSecretValue(secretRef.key, value);
      fromSecret.add(entry.name);
    } else if (cmRef) {
      const value = k8s.configMaps.get(cmRef.name)?.[cmRef.key];
      if (value === undefined) problems.push(`${where}: ${entry.name} references ConfigMap ${cmRef.name} key ${cmRef.key}, which does not exist`);
      else env[entry.name] = value;
      fromSecret.delete(entry.name);
    } else if (entry.value !== undefined && entry.value !== null) {
      env[entry.name] = String(entry.value);
      fromSecret.delete(entry.name);
    }
  }
  return { env, fromSecret };
}

function matchesSelector(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

function k8sProblems(k8s: K8s): string[] {
  const problems: string[] = [];
  const ofKind = (kind: string): Yaml[] => k8s.docs.filter((d) => d.kind === kind);

  for (const [name, data] of k8s.configMaps) {
    for (const key of Object.keys(data)) {
      if (SECRET_VARIABLE.test(key)) problems.push(`ConfigMap ${name}: ${key} looks secret; take it from a Secret`);
      if (!ALL_VARIABLES.includes(key)) problems.push(`ConfigMap ${name}: ${key} is not a variable of any config class`);
    }
  }

  for (const app of APPS) {
    const repository = `wellifiy/messaging-${app.name}`;
    const deployment = ofKind('Deployment').find((d) =>
      (d.spec?.template?.spec?.containers ?? []).some((c: Yaml) => String(c.image ?? '').split(':')[0] === repository),
    );
    if (!deployment) {
      problems.push(`k8s ${app.name}: no Deployment running image ${repository}`);
      continue;
    }
    const where = `k8s ${app.name} Deployment ${deployment.metadata?.name}`;
    const container = deployment.spec.template.spec.containers.find((c: Yaml) => String(c.image).split(':')[0] === repository);
    const bad = imageProblem(container.image);
    if (bad) problems.push(`${where}: ${bad}`);
    if (!container.resources?.requests?.cpu) problems.push(`${where}: no CPU request (the HPA's utilisation needs one)`);
    if (!container.resources?.limits?.memory) problems.push(`${where}: no memory limit`);

    const { env, fromSecret } = containerEnvironment(container, k8s, where, problems);
    const known = configVariables(app.config);
    for (const name of requiredVariables(app.config, env))
      if (env[name] === undefined) problems.push(`${where}: required variable ${name} is not provided (env, ConfigMap or secretKeyRef)`);
    for (const entry of container.env ?? [])
      if (!known.includes(entry.name)) problems.push(`${where}: sets ${entry.name}, which ${app.config.name} does not declare`);
    for (const name of Object.keys(env))
      if (known.includes(name) && SECRET_VARIABLE.test(name) && !fromSecret.has(name))
        problems.push(`${where}: ${name} must come from a Secret (secretKeyRef), not a literal or ConfigMap`);
    if (known.includes('MONGO_DB') && env.MONGO_DB !== `wellifiy-${app.name}`)
      problems.push(`${where}: MONGO_DB is ${env.MONGO_DB}, expected its own database wellifiy-${app.name}`);
    for (const problem of bootProblems(app.config, env)) problems.push(`${where}: would not boot: ${problem}`);

    const ports: Yaml[] = container.ports ?? [];
    const resolvePort = (port: unknown): number | undefined =>
      typeof port === 'number' ? port : ports.find((p) => p.name === port)?.containerPort;
    const httpPort = Number(env.HTTP_PORT);
    for (const [probeName, probePath] of [['readinessProbe', '/health/ready'], ['livenessProbe', '/health/live']] as const) {
      const probe = container[probeName]?.httpGet;
      if (!probe) problems.push(`${where}: no ${probeName} (httpGet)`);
      else {
        if (probe.path !== probePath) problems.push(`${where}: ${probeName} path is ${probe.path}, expected ${probePath}`);
        if (resolvePort(probe.port) !== httpPort)
          problems.push(`${where}: ${probeName} port ${probe.port} is not HTTP_PORT ${env.HTTP_PORT}`);
      }
    }

    const podLabels = deployment.spec.template.metadata?.labels;
    if (!matchesSelector(deployment.spec.selector?.matchLabels, podLabels)) problems.push(`${where}: selector does not match its pod labels`);
    const service = ofKind('Service').find((s) => matchesSelector(s.spec?.selector, podLabels));
    if (!service) problems.push(`k8s ${app.name}: no Service selecting the Deployment's pods`);
    else if (!(service.spec.ports ?? []).some((p: Yaml) => resolvePort(p.targetPort ?? p.port) === httpPort))
      problems.push(`k8s ${app.name} Service ${service.metadata?.name}: no port targeting HTTP_PORT ${httpPort}`);

    const hpa = ofKind('HorizontalPodAutoscaler').find(
      (h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec.scaleTargetRef.name === deployment.metadata?.name,
    );
    if (!hpa) problems.push(`k8s ${app.name}: no HorizontalPodAutoscaler targeting Deployment ${deployment.metadata?.name}`);
    else {
      if (hpa.apiVersion !== 'autoscaling/v2') problems.push(`k8s ${app.name} HPA: apiVersion ${hpa.apiVersion}, expected autoscaling/v2`);
      if (!(hpa.spec.metrics ?? []).some((m: Yaml) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.averageUtilization))
        problems.push(`k8s ${app.name} HPA: no CPU utilisation target`);
      if (!(hpa.spec.minReplicas >= 2)) problems.push(`k8s ${app.name} HPA: minReplicas below 2 (no redundancy)`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// k8s/ for high availability: disruption budgets, spreading, startup probes, network policy, external services
// ---------------------------------------------------------------------------------------------------------

const NAMESPACE = 'wellifiy-messaging';
/** Where the ingress controller and Prometheus run (network-policies.yaml names them). */
const INGRESS_NAMESPACE = 'ingress-nginx';
const MONITORING_NAMESPACE = 'monitoring';

/** A pod (namespace and labels) or an address outside the cluster, as a NetworkPolicy peer sees it. */
type Peer = { namespace: string; labels: Record<string, string> } | { ip: string };

function labelSelectorMatches(selector: Yaml, labels: Record<string, string>): boolean {
  if (selector?.matchExpressions?.length) throw new Error('matchExpressions are not evaluated by this check; use matchLabels');
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function ipv4(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

/** Whether one entry of a policy's from/to list admits the peer (policy namespace: where podSelector-only looks). */
function policyPeerMatches(entry: Yaml, peer: Peer, policyNamespace: string): boolean {
  if (entry.ipBlock) return 'ip' in peer && inCidr(peer.ip, entry.ipBlock.cidr) && !(entry.ipBlock.except ?? []).some((c: string) => inCidr(peer.ip, c));
  if ('ip' in peer) return false;
  const namespaceOk = entry.namespaceSelector
    ? labelSelectorMatches(entry.namespaceSelector, { 'kubernetes.io/metadata.name': peer.namespace })
    : peer.namespace === policyNamespace;
  const podOk = entry.podSelector ? labelSelectorMatches(entry.podSelector, peer.labels) : true;
  return namespaceOk && podOk;
}

function policyTypes(policy: Yaml): string[] {
  return policy.spec?.policyTypes ?? ['Ingress', ...(policy.spec?.egress ? ['Egress'] : [])];
}

/**
 * NetworkPolicy semantics for one connection: the policies selecting the pod in `direction` isolate it; then the
 * connection passes when any rule of any of them admits the other side on the port (TCP). No policy: allowed.
 */
function policyAllows(k8s: K8s, direction: 'Ingress' | 'Egress', pod: { labels: Record<string, string> }, other: Peer, port: number): boolean {
  const applying = k8s.docs.filter(
    (d) => d.kind === 'NetworkPolicy' && (d.metadata?.namespace ?? NAMESPACE) === NAMESPACE && labelSelectorMatches(d.spec?.podSelector, pod.labels) && policyTypes(d).includes(direction),
  );
  if (applying.length === 0) return true;
  return applying.some((policy) =>
    ((direction === 'Ingress' ? policy.spec.ingress : policy.spec.egress) ?? []).some((rule: Yaml) => {
      const peers: Yaml[] | undefined = direction === 'Ingress' ? rule.from : rule.to;
      const peerOk = !peers?.length || peers.some((entry) => policyPeerMatches(entry, other, policy.metadata?.namespace ?? NAMESPACE));
      const portOk = !rule.ports?.length || rule.ports.some((p: Yaml) => (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || (p.port <= port && port <= (p.endPort ?? p.port))));
      return peerOk && portOk;
    }),
  );
}

/** A connection from pod `from` to pod `to` on `port`: the sender's egress and the receiver's ingress both allow it. */
function podToPod(k8s: K8s, from: { namespace: string; labels: Record<string, string> }, to: { labels: Record<string, string> }, port: number): boolean {
  const ingressOk = policyAllows(k8s, 'Ingress', to, from, port);
  const egressOk = from.namespace !== NAMESPACE || policyAllows(k8s, 'Egress', from, { namespace: NAMESPACE, labels: to.labels }, port);
  return ingressOk && egressOk;
}

interface ExternalService {
  service: Yaml;
  /** name → port of the Service. */
  ports: Map<string, number>;
  endpoints: { address: string; hostname?: string }[];
}

/** Services without a selector and the addresses their EndpointSlices list. */
function externalServices(k8s: K8s): Map<string, ExternalService> {
  const result = new Map<string, ExternalService>();
  for (const service of k8s.docs.filter((d) => d.kind === 'Service' && !d.spec?.selector)) {
    const slices = k8s.docs.filter((d) => d.kind === 'EndpointSlice' && d.metadata?.labels?.['kubernetes.io/service-name'] === service.metadata.name);
    result.set(service.metadata.name, {
      service,
      ports: new Map((service.spec.ports ?? []).map((p: Yaml) => [p.name, p.port])),
      endpoints: slices.flatMap((s) => (s.endpoints ?? []).flatMap((e: Yaml) => (e.addresses ?? []).map((address: string) => ({ address, hostname: e.hostname })))),
    });
  }
  return result;
}

/** The in-cluster Service a URL's host names (`<name>.<namespace>.svc[.cluster.local]` or a bare name), if any. */
function serviceOfHost(host: string): string | undefined {
  const m = /^([a-z0-9-]+)(?:\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?)?$/.exec(host);
  return m && (!m[2] || m[2] === NAMESPACE) ? m[1] : undefined;
}

/** host:port pairs of a URL; a mongodb:// URL may list several. */
function urlHosts(url: string): { host: string; port: number }[] {
  const m = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?]+)/.exec(url);
  const defaults: Record<string, number> = { amqp: 5672, amqps: 5671, mongodb: 27017, redis: 6379, rediss: 6380, http: 80, https: 443 };
  const scheme = url.slice(0, url.indexOf(':'));
  return (m?.[1] ?? '').split(',').map((hp) => {
    const [host, port] = hp.split(':');
    return { host, port: port ? Number(port) : defaults[scheme] };
  });
}

function k8sHaProblems(k8s: K8s): string[] {
  const problems: string[] = [];
  const ofKind = (kind: string): Yaml[] => k8s.docs.filter((d) => d.kind === kind);
  const external = externalServices(k8s);
  const pods = new Map<string, { namespace: string; labels: Record<string, string>; port: number; env: Env }>();

  for (const app of APPS) {
    const deployment = ofKind('Deployment').find((d) => d.metadata?.name === `messaging-${app.name}`);
    if (!deployment) {
      problems.push(`k8s ${app.name}: no Deployment messaging-${app.name}`);
      continue;
    }
    const where = `k8s ${app.name}`;
    const labels: Record<string, string> = deployment.spec.template.metadata?.labels ?? {};
    const podSpec = deployment.spec.template.spec;
    const container = podSpec.containers[0];
    const env = containerEnvironment(container, k8s, where, []).env;
    pods.set(app.name, { namespace: NAMESPACE, labels, port: Number(env.HTTP_PORT), env });

    // Replicas: the HPA owns the count (minReplicas ≥ 2, checked with the HPA); a literal count may not undercut it.
    if (deployment.spec.replicas !== undefined && !(deployment.spec.replicas >= 2)) problems.push(`${where}: replicas ${deployment.spec.replicas}, expected at least 2`);
    const hpa = ofKind('HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.name === deployment.metadata.name);
    if (!(hpa?.spec?.minReplicas >= 2)) problems.push(`${where}: no HPA keeping at least 2 replicas`);

    const pdbs = ofKind('PodDisruptionBudget').filter((p) => p.spec?.selector && labelSelectorMatches(p.spec.selector, labels) && Object.keys(p.spec.selector.matchLabels ?? {}).length > 0);
    if (pdbs.length !== 1) problems.push(`${where}: ${pdbs.length} PodDisruptionBudgets select its pods, expected 1`);
    for (const pdb of pdbs) {
      if (pdb.apiVersion !== 'policy/v1') problems.push(`${where} PDB: apiVersion ${pdb.apiVersion}, expected policy/v1`);
      if (!(pdb.spec.minAvailable === 1 || pdb.spec.maxUnavailable === 1)) problems.push(`${where} PDB: neither minAvailable 1 nor maxUnavailable 1`);
    }

    const preferred: Yaml[] = podSpec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    for (const key of ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']) {
      const term = preferred.find((t) => t.podAffinityTerm?.topologyKey === key);
      if (!term) problems.push(`${where}: no preferred pod anti-affinity by ${key}`);
      else if (!(term.weight > 0) || !matchesSelector(term.podAffinityTerm.labelSelector?.matchLabels, labels))
        problems.push(`${where}: the anti-affinity by ${key} does not select its own pods with a weight`);
    }
    if (podSpec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution)
      problems.push(`${where}: required anti-affinity would leave replicas unscheduled on a small cluster; use preferred`);

    const startup = container.startupProbe?.httpGet;
    const portOf = (p: unknown): number | undefined => (typeof p === 'number' ? p : (container.ports ?? []).find((c: Yaml) => c.name === p)?.containerPort);
    if (!startup) problems.push(`${where}: no startupProbe (httpGet)`);
    else {
      if (startup.path !== '/health/live') problems.push(`${where}: startupProbe path is ${startup.path}, expected /health/live`);
      if (portOf(startup.port) !== Number(env.HTTP_PORT)) problems.push(`${where}: startupProbe port ${startup.port} is not HTTP_PORT ${env.HTTP_PORT}`);
      const budget = (container.startupProbe.periodSeconds ?? 10) * (container.startupProbe.failureThreshold ?? 3);
      if (budget < 30) problems.push(`${where}: startupProbe gives boot only ${budget} s`);
    }

    // Connection lists: each URL names an external Service (or, for MongoDB, the members an EndpointSlice lists).
    const amqp = urlHosts(env.AMQP_URL ?? '')[0];
    const rabbit = amqp && external.get(serviceOfHost(amqp.host) ?? '');
    if (!rabbit) problems.push(`${where}: AMQP_URL host ${amqp?.host} is not an external Service of k8s/`);
    else {
      if (![...rabbit.ports.values()].includes(amqp.port)) problems.push(`${where}: AMQP_URL port ${amqp.port} is not a port of Service ${rabbit.service.metadata.name}`);
      if (rabbit.endpoints.length < 3) problems.push(`${where}: the RabbitMQ Service lists ${rabbit.endpoints.length} nodes, expected a cluster of at least 3`);
    }
    if (env.MONGO_URL !== undefined) {
      const members = urlHosts(env.MONGO_URL);
      const replicaSet = new URLSearchParams(env.MONGO_URL.split('?')[1] ?? '').get('replicaSet');
      if (!replicaSet) problems.push(`${where}: MONGO_URL names no replicaSet`);
      if (members.length < 3) problems.push(`${where}: MONGO_URL lists ${members.length} members, expected a replica set of at least 3`);
      const mongo = [...external.values()].find((s) => [...s.ports.values()].includes(27017));
      const listed = (mongo?.endpoints ?? []).map((e) => e.hostname).sort();
      const named = members.map((m) => m.host.split('.')[0]).sort();
      if (JSON.stringify(listed) !== JSON.stringify(named)) problems.push(`${where}: MONGO_URL members ${named.join(',')} are not the MongoDB Service's endpoints ${listed.join(',')}`);
    }
    if (env.REDIS_URL !== undefined) {
      const redis = urlHosts(env.REDIS_URL)[0];
      const service = external.get(serviceOfHost(redis.host) ?? '');
      if (!service?.endpoints.length) problems.push(`${where}: REDIS_URL host ${redis.host} is not an external Service with an endpoint`);
      else if (![...service.ports.values()].includes(redis.port)) problems.push(`${where}: REDIS_URL port ${redis.port} is not a port of Service ${service.service.metadata.name}`);
    }
  }

  // Network policy: default deny, then exactly the paths the system needs.
  const defaultDeny = ofKind('NetworkPolicy').find(
    (p) => Object.keys(p.spec?.podSelector ?? {}).length === 0 && policyTypes(p).includes('Ingress') && !(p.spec?.ingress ?? []).length,
  );
  if (!defaultDeny) problems.push('k8s: no default-deny ingress NetworkPolicy (podSelector {}, policyTypes [Ingress], no rules)');

  const outsider: Peer = { namespace: 'elsewhere', labels: { app: 'anything' } };
  const ingressController: Peer = { namespace: INGRESS_NAMESPACE, labels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
  const prometheus: Peer = { namespace: MONITORING_NAMESPACE, labels: { 'app.kubernetes.io/name': 'prometheus' } };
  const strangerInNamespace = { namespace: NAMESPACE, labels: { 'app.kubernetes.io/name': 'debug-shell' } };
  for (const [name, pod] of pods) {
    const where = `k8s NetworkPolicy ${name}`;
    if (policyAllows(k8s, 'Ingress', pod, outsider, pod.port)) problems.push(`${where}: reachable from any namespace`);
    if (podToPod(k8s, strangerInNamespace, pod, pod.port)) problems.push(`${where}: reachable from any pod of the namespace`);
    const fromIngress = policyAllows(k8s, 'Ingress', pod, ingressController, pod.port);
    if (name === 'gateway' && !fromIngress) problems.push(`${where}: the ingress controller cannot reach the gateway`);
    if (name !== 'gateway' && fromIngress) problems.push(`${where}: reachable from the ingress controller (only the gateway may be)`);
    if (!policyAllows(k8s, 'Ingress', pod, prometheus, pod.port)) problems.push(`${where}: the monitoring namespace cannot scrape /metrics on ${pod.port}`);
    for (const [otherName, other] of pods) {
      if (otherName === name) continue;
      const allowed = podToPod(k8s, other, pod, pod.port);
      const expected = name === 'messages' && otherName === 'gateway';
      if (allowed !== expected) problems.push(`${where}: ${otherName} pods ${allowed ? 'can' : 'cannot'} reach port ${pod.port}${expected ? ' (the internal media path)' : ''}`);
    }
    // Egress to the infrastructure each app's URLs name: every node/member/address of it.
    for (const variable of ['AMQP_URL', 'MONGO_URL', 'REDIS_URL']) {
      if (pod.env[variable] === undefined) continue;
      const hosts = urlHosts(pod.env[variable]);
      const services = variable === 'MONGO_URL' ? [...external.values()].filter((s) => [...s.ports.values()].includes(27017)) : hosts.map((h) => external.get(serviceOfHost(h.host) ?? ''));
      for (const service of services) {
        if (!service) continue; // reported above
        for (const e of service.endpoints)
          if (!policyAllows(k8s, 'Egress', pod, { ip: e.address }, hosts[0].port)) problems.push(`${where}: no egress to ${e.address}:${hosts[0].port} (${variable})`);
      }
    }
    if (!policyAllows(k8s, 'Egress', pod, { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, 53)) problems.push(`${where}: no egress to DNS`);
    if (policyAllows(k8s, 'Egress', pod, { ip: '10.99.99.99' }, 5432)) problems.push(`${where}: egress open to arbitrary internal addresses`);
  }

  // From outside: one Ingress, to the gateway's Service; no Service published by node port or load balancer.
  const gatewayService = ofKind('Service').find((s) => s.spec?.selector?.['app.kubernetes.io/name'] === 'messaging-gateway');
  const backends = ofKind('Ingress').flatMap((i) => (i.spec?.rules ?? []).flatMap((r: Yaml) => (r.http?.paths ?? []).map((p: Yaml) => p.backend?.service?.name)));
  if (!backends.length) problems.push('k8s: no Ingress for the gateway');
  for (const backend of backends) if (backend !== gatewayService?.metadata?.name) problems.push(`k8s Ingress: routes to ${backend}, only the gateway may be reachable from outside`);
  for (const s of ofKind('Service')) if (['NodePort', 'LoadBalancer'].includes(s.spec?.type)) problems.push(`k8s Service ${s.metadata.name}: type ${s.spec.type} publishes it outside the cluster`);
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// .env.example
// ---------------------------------------------------------------------------------------------------------

interface EnvExample {
  /** Variables mentioned as `NAME=` or `# NAME=`, with whether the line just above is a comment. */
  mentioned: Map<string, { documented: boolean }>;
  /** The uncommented assignments. */
  values: Env;
}

function parseEnvExample(text: string): EnvExample {
  const lines = text.split(/\r?\n/);
  const mentioned = new Map<string, { documented: boolean }>();
  const values: Env = {};
  lines.forEach((line, i) => {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!match) return;
    const above = (lines[i - 1] ?? '').trim();
    const documented = above.startsWith('#') && !/^#\s*[A-Z][A-Z0-9_]*=/.test(above) && above.replace(/^#\s*/, '').length > 0;
    mentioned.set(match[2], { documented });
    if (!match[1]) values[match[2]] = match[3];
  });
  return { mentioned, values };
}

function envExampleProblems(example: EnvExample, variables: string[]): string[] {
  const problems: string[] = [];
  for (const name of variables) {
    const entry = example.mentioned.get(name);
    if (!entry) problems.push(`.env.example: ${name} is not documented`);
    else if (!entry.documented) problems.push(`.env.example: ${name} has no comment line above it`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------

describe('required-variable detector', () => {
  it('finds AMQP_URL and HTTP_PORT required for CommonConfig, and not the defaulted LOG_LEVEL', () => {
    const required = requiredVariables(CommonConfig);
    expect(required).toEqual(expect.arrayContaining(['AMQP_URL', 'HTTP_PORT']));
    expect(required).not.toContain('LOG_LEVEL');
    expect(required).not.toContain('NODE_ENV');
  });

  it('adds MONGO_URL and MONGO_DB for MongoConfig (inherited metadata is seen)', () => {
    expect(requiredVariables(MongoConfig)).toEqual(expect.arrayContaining(['AMQP_URL', 'HTTP_PORT', 'MONGO_URL', 'MONGO_DB']));
  });

  it('treats @IsOptional as optional and @ValidateIf by its condition on the defaults', () => {
    const required = requiredVariables(GatewayConfig);
    expect(required).toEqual(expect.arrayContaining(['REDIS_URL', 'JWT_SECRET'])); // JWT_ALGORITHM defaults to HS256
    expect(required).not.toContain('JWT_JWKS_URL'); // only for RS256
    expect(required).not.toContain('JWT_ISSUER');
    expect(requiredVariables(GatewayConfig, { JWT_ALGORITHM: 'RS256', NODE_ENV: 'production' })).toEqual(
      expect.arrayContaining(['JWT_JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE']),
    );
    expect(requiredVariables(GatewayConfig, { JWT_ALGORITHM: 'RS256' })).not.toContain('JWT_SECRET');
  });

  it.each(APPS)('agrees with boot validation for $name: exactly the required variables are rejected when unset', ({ config }) => {
    expect(requiredVariables(config)).toEqual(variablesRejectedWhenUnset(config));
  });

  it('the checkers report a missing variable, a :latest image and an undocumented variable', () => {
    const compose = parse(read('docker-compose.yml'), { merge: true });
    delete compose.services.gateway.environment.AMQP_URL;
    compose.services.redis.image = 'redis:latest';
    const problems = composeProblems(compose);
    expect(problems).toContain('compose gateway: required variable AMQP_URL is not set');
    expect(problems).toContain('compose redis: image "redis:latest" uses :latest');

    const k8s = loadK8s();
    const gateway = k8s.docs.find((d) => d.kind === 'Deployment' && d.spec.template.spec.containers[0].image.startsWith('wellifiy/messaging-gateway:'));
    gateway.spec.template.spec.containers[0].env = gateway.spec.template.spec.containers[0].env.filter((e: Yaml) => e.name !== 'REDIS_URL');
    expect(k8sProblems(k8s)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^k8s gateway Deployment .*: required variable REDIS_URL is not provided/)]),
    );

    expect(envExampleProblems(parseEnvExample('# Broker URL.\nAMQP_URL=amqp://x\nHTTP_PORT=1\n'), ['AMQP_URL', 'HTTP_PORT', 'LOG_LEVEL'])).toEqual([
      '.env.example: HTTP_PORT has no comment line above it',
      '.env.example: LOG_LEVEL is not documented',
    ]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args = Object.fromEntries(
    instructions.flatMap((l) => {
      const m = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)=(\S+)/.exec(l);
      return m ? [[m[1], m[2]]] : [];
    }),
  );
  const stages = instructions.filter((l) => /^FROM\s/i.test(l));
  const finalStage = instructions.slice(instructions.lastIndexOf(stages[stages.length - 1]));

  it('builds every stage from a pinned node:20-bookworm-slim (or an earlier stage)', () => {
    const stageNames = stages.map((l) => /\sAS\s+(\S+)/i.exec(l)?.[1]).filter(Boolean);
    const problems = stages.flatMap((line) => {
      const image = line.split(/\s+/)[1].replace(/^\$\{?([A-Za-z0-9_]+)\}?$/, (_, name: string) => args[name] ?? `$${name}`);
      if (stageNames.includes(image)) return [];
      const bad = imageProblem(image);
      return [...(bad ? [`${line}: ${bad}`] : []), ...(image.startsWith('node:20-bookworm-slim') ? [] : [`${line}: not node:20-bookworm-slim`])];
    });
    expect(stages.length).toBeGreaterThan(1);
    expect(problems).toEqual([]);
  });

  it('installs with npm ci, builds, prunes dev dependencies and runs the selected app as a non-root user', () => {
    expect(dockerfile).toMatch(/RUN npm ci\b/);
    expect(dockerfile).toMatch(/RUN npm run build\b/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(finalStage.some((l) => /^ARG APP\b/.test(l))).toBe(true);
    expect(finalStage.some((l) => /^ENV .*\bAPP=\$\{?APP\}?/.test(l))).toBe(true);
    const user = finalStage.filter((l) => /^USER\s/.test(l)).pop();
    expect(user).toMatch(/^USER\s+\S+/);
    expect(user).not.toMatch(/^USER\s+(root|0)(:|\s|$)/);
    expect(finalStage.filter((l) => /^CMD\s/.test(l)).pop()).toMatch(/node dist\/apps\/\$\{?APP\}?\/src\/main\.js/);
  });

  it('.dockerignore keeps local artefacts out of the build context', () => {
    const ignored = read('.dockerignore').split(/\r?\n/).map((l) => l.trim().replace(/^\/|\/$/g, ''));
    const missing = ['node_modules', 'dist', '.data', '.tools', '.git', 'coverage', 'reports'].filter((e) => !ignored.includes(e));
    expect(missing).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  it('runs every app from the Dockerfile with its required variables, healthy infrastructure and pinned images', () => {
    expect(composeProblems(parse(read('docker-compose.yml'), { merge: true }))).toEqual([]);
  });
});

describe('k8s/', () => {
  it('has a Deployment (probes, pinned image, every required variable), Service and HPA for every app', () => {
    expect(k8sProblems(loadK8s())).toEqual([]);
  });

  it('kustomization.yaml lists every manifest, which all exist, and not the example Secret', () => {
    const kustomization = parse(read('k8s/kustomization.yaml'));
    const resources: string[] = kustomization.resources ?? [];
    const manifests = readdirSync(path.join(ROOT, 'k8s')).filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f));
    expect(resources.filter((r) => !existsSync(path.join(ROOT, 'k8s', r)))).toEqual([]);
    // Applying placeholder secrets would overwrite the real ones from the secret store.
    expect(resources).not.toContain('secrets.example.yaml');
    expect(manifests.filter((f) => f !== 'secrets.example.yaml' && !resources.includes(f))).toEqual([]);
  });

  it('secrets.example.yaml is a Secret with placeholder values only', () => {
    const secrets = loadYamlDocuments('k8s/secrets.example.yaml');
    expect(secrets.map((d) => d.kind)).toEqual(['Secret']);
    const values = Object.values(stringMap(secrets[0].stringData));
    expect(values.length).toBeGreaterThan(0);
    expect(values.filter((v) => !/REPLACE_ME/.test(v))).toEqual([]);
  });
});

describe('k8s/ for high availability', () => {
  it('every app: PodDisruptionBudget, anti-affinity by node and zone, startup probe, at least 2 replicas; default-deny network policy with only the needed paths; RabbitMQ, MongoDB and Redis as external Services with their connection lists', () => {
    expect(k8sHaProblems(loadK8s())).toEqual([]);
  });

  it('the HA checker reports each thing it checks when it is missing or wrong', () => {
    const broken = (change: (k8s: K8s) => void): string[] => {
      const k8s = loadK8s();
      change(k8s);
      return k8sHaProblems(k8s);
    };
    const doc = (k8s: K8s, kind: string, name: string): Yaml => k8s.docs.find((d) => d.kind === kind && d.metadata.name === name);
    expect(broken((k8s) => (k8s.docs = k8s.docs.filter((d) => !(d.kind === 'PodDisruptionBudget' && d.metadata.name === 'messaging-channels'))))).toContain(
      'k8s channels: 0 PodDisruptionBudgets select its pods, expected 1',
    );
    expect(broken((k8s) => (doc(k8s, 'PodDisruptionBudget', 'messaging-messages').spec.maxUnavailable = 2))).toContain('k8s messages PDB: neither minAvailable 1 nor maxUnavailable 1');
    expect(broken((k8s) => (doc(k8s, 'Deployment', 'messaging-gateway').spec.replicas = 1))).toContain('k8s gateway: replicas 1, expected at least 2');
    expect(
      broken((k8s) => {
        const anti = doc(k8s, 'Deployment', 'messaging-notifications').spec.template.spec.affinity.podAntiAffinity;
        anti.preferredDuringSchedulingIgnoredDuringExecution = anti.preferredDuringSchedulingIgnoredDuringExecution.filter((t: Yaml) => t.podAffinityTerm.topologyKey !== 'topology.kubernetes.io/zone');
      }),
    ).toContain('k8s notifications: no preferred pod anti-affinity by topology.kubernetes.io/zone');
    expect(broken((k8s) => delete doc(k8s, 'Deployment', 'messaging-activation-rules').spec.template.spec.containers[0].startupProbe)).toContain(
      'k8s activation-rules: no startupProbe (httpGet)',
    );
    expect(broken((k8s) => (k8s.docs = k8s.docs.filter((d) => d.metadata?.name !== 'default-deny-ingress')))).toContain(
      'k8s: no default-deny ingress NetworkPolicy (podSelector {}, policyTypes [Ingress], no rules)',
    );
    // Opening the messages port to the whole namespace: any pod reaches the media path, and so do channels' pods once
    // their own egress allows it too.
    expect(broken((k8s) => (doc(k8s, 'NetworkPolicy', 'messaging-messages').spec.ingress[0].from = [{ podSelector: {} }]))).toContain(
      'k8s NetworkPolicy messages: reachable from any pod of the namespace',
    );
    expect(
      broken((k8s) => {
        doc(k8s, 'NetworkPolicy', 'messaging-messages').spec.ingress[0].from = [{ podSelector: {} }];
        doc(k8s, 'NetworkPolicy', 'messaging-channels').spec.egress.push({ to: [{ podSelector: {} }] });
      }),
    ).toContain('k8s NetworkPolicy messages: channels pods can reach port 3002');
    expect(broken((k8s) => (doc(k8s, 'NetworkPolicy', 'messaging-gateway').spec.egress = doc(k8s, 'NetworkPolicy', 'messaging-gateway').spec.egress.filter((r: Yaml) => !r.to?.[0]?.podSelector)))).toContain(
      'k8s NetworkPolicy messages: gateway pods cannot reach port 3002 (the internal media path)',
    );
    expect(broken((k8s) => (doc(k8s, 'NetworkPolicy', 'messaging-channels').spec.ingress[0].from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'] = INGRESS_NAMESPACE))).toEqual(
      expect.arrayContaining(['k8s NetworkPolicy channels: reachable from the ingress controller (only the gateway may be)', 'k8s NetworkPolicy channels: the monitoring namespace cannot scrape /metrics on 3001']),
    );
    expect(broken((k8s) => (doc(k8s, 'Service', 'messaging-channels').spec.type = 'LoadBalancer'))).toContain('k8s Service messaging-channels: type LoadBalancer publishes it outside the cluster');
    expect(broken((k8s) => doc(k8s, 'EndpointSlice', 'messaging-rabbitmq-nodes').endpoints.pop())).toContain('k8s gateway: the RabbitMQ Service lists 2 nodes, expected a cluster of at least 3');
    expect(broken((k8s) => doc(k8s, 'EndpointSlice', 'messaging-rabbitmq-nodes').endpoints.push({ addresses: ['10.41.0.14'], hostname: 'rabbitmq-3' }))).toContain(
      'k8s NetworkPolicy messages: no egress to 10.41.0.14:5671 (AMQP_URL)',
    );
    expect(
      broken((k8s) => {
        const secret = k8s.secrets.get('messaging-secrets') as Env;
        secret.MONGO_URL = secret.MONGO_URL.replace('replicaSet=rs0&', '');
        secret.CHANNELS_AMQP_URL = secret.CHANNELS_AMQP_URL.replace('messaging-rabbitmq.wellifiy-messaging.svc', 'rabbit-0.example.internal');
      }),
    ).toEqual(expect.arrayContaining(['k8s channels: MONGO_URL names no replicaSet', 'k8s channels: AMQP_URL host rabbit-0.example.internal is not an external Service of k8s/']));
  });

  it('evaluates NetworkPolicy as Kubernetes does: unselected pods are open, an empty rule list denies, ipBlock honours except', () => {
    const policy = (spec: Yaml): K8s => ({ docs: [{ kind: 'NetworkPolicy', metadata: { name: 'p', namespace: NAMESPACE }, spec }], configMaps: new Map(), secrets: new Map() });
    const pod = { labels: { app: 'a' } };
    const other = { labels: { app: 'b' } };
    const denyAll = policy({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(policyAllows(denyAll, 'Ingress', pod, { namespace: NAMESPACE, labels: {} }, 80)).toBe(false);
    expect(policyAllows(policy({ podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'] }), 'Ingress', pod, { ip: '1.2.3.4' }, 80)).toBe(true);
    const egress = policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 443 }] }] });
    expect(policyAllows(egress, 'Egress', pod, { ip: '93.184.216.34' }, 443)).toBe(true);
    expect(policyAllows(egress, 'Egress', pod, { ip: '10.1.2.3' }, 443)).toBe(false);
    expect(policyAllows(egress, 'Egress', pod, { ip: '93.184.216.34' }, 80)).toBe(false);
    const fromB = policy({ podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }] }] });
    expect(policyAllows(fromB, 'Ingress', pod, { namespace: NAMESPACE, ...other }, 1234)).toBe(true);
    expect(policyAllows(fromB, 'Ingress', pod, { namespace: 'elsewhere', ...other }, 1234)).toBe(false);
  });
});

describe('.env.example', () => {
  const example = parseEnvExample(read('.env.example'));

  it('documents every variable of every config class, with a comment line each', () => {
    expect(ALL_VARIABLES.length).toBeGreaterThan(0);
    expect(envExampleProblems(example, ALL_VARIABLES)).toEqual([]);
  });

  it.each(APPS)('its values boot $name (with its own HTTP_PORT and MONGO_DB)', ({ name, config, port }) => {
    expect(bootProblems(config, { ...example.values, HTTP_PORT: String(port), MONGO_DB: `wellifiy-${name}` })).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Security items: no development secrets in deployments; each service its own broker user
// ---------------------------------------------------------------------------------------------------------

/** Production settings of the gateway that .env does not hold (an identity provider's), for boot checks. */
const GATEWAY_PRODUCTION_AUTH: Env = {
  JWT_ALGORITHM: 'RS256',
  JWT_JWKS_URL: 'https://id.wellifiy.example/.well-known/jwks.json',
  JWT_ISSUER: 'https://id.wellifiy.example/',
  JWT_AUDIENCE: 'wellifiy-messaging',
};

/** Every secret an app reads; the password inside AMQP_URL counts as one. */
const SECRETS_OF: Record<string, string[]> = {
  gateway: ['JWT_SECRET'],
  messages: ['ENCRYPTION_KEYS'],
  notifications: ['VAPID_PRIVATE_KEY'],
};

describe('Development secrets reach deployments silently', () => {
  const composeText = read('docker-compose.yml');
  const compose = parse(composeText, { merge: true });

  it('docker-compose has no fallback for any secret or for NODE_ENV: each is ${VAR:?…}, so compose refuses to start without .env', () => {
    const problems: string[] = [];
    for (const app of APPS) {
      const raw: Record<string, unknown> = compose.services[app.name].environment;
      for (const name of ['NODE_ENV', 'AMQP_URL', ...(SECRETS_OF[app.name] ?? [])]) {
        const value = String(raw[name] ?? '');
        if (!/\$\{[A-Z0-9_]+:\?[^}]+\}/.test(value)) problems.push(`${app.name} ${name}: not required from .env (\${VAR:?message})`);
        if (/\$\{[A-Z0-9_]+:?-[^}]*\}/.test(value)) problems.push(`${app.name} ${name}: has a fallback`);
      }
      // Without .env (no `npm run secrets`), the secrets are unset: compose would stop at interpolation.
      const bare = composeEnvironment(compose.services[app.name], {});
      for (const name of ['AMQP_URL', ...(SECRETS_OF[app.name] ?? [])]) if (bare[name] !== undefined) problems.push(`${app.name} ${name}: set without .env`);
    }
    expect(problems).toEqual([]);
    expect(composeText).not.toMatch(/RABBITMQ_DEFAULT_(USER|PASS)/);
  });

  it('every development value committed in .env.example, libs/testing and tools/dev is on the one list production refuses', () => {
    const example = parseEnvExample(read('.env.example')).values;
    const devEnv = /DEV_JWT_SECRET = process\.env\.JWT_SECRET \|\| '([^']+)'/.exec(read('tools/dev/dev-env.mjs'))?.[1];
    const testing = read('libs/testing/src/tokens.ts') + read('libs/testing/src/local-system.ts');
    const committed: [string, string | Buffer][] = [
      ['.env.example JWT_SECRET', example.JWT_SECRET],
      ['.env.example AMQP_URL password', decodeURIComponent(new URL(example.AMQP_URL).password)],
      ...example.ENCRYPTION_KEYS.split(',').map((e, i): [string, Buffer] => [`.env.example ENCRYPTION_KEYS #${i + 1}`, Buffer.from(e.split(':')[1], 'base64')]),
      ['tools/dev DEV_JWT_SECRET', devEnv ?? 'missing'],
      ['libs/testing TEST_JWT_SECRET', /TEST_JWT_SECRET = '([^']+)'/.exec(testing)?.[1] ?? 'missing'],
      ...(/LOCAL_ENCRYPTION_KEYS = '([^']+)'/.exec(testing)?.[1] ?? 'missing:')
        .split(',')
        .map((e, i): [string, Buffer] => [`libs/testing LOCAL_ENCRYPTION_KEYS #${i + 1}`, Buffer.from(e.split(':')[1], 'base64')]),
    ];
    expect(committed.filter(([, value]) => !isDevelopmentSecret(value)).map(([where]) => where)).toEqual([]);
    expect(committed.length).toBe(7);
  });

  it('npm run secrets makes fresh values each time, none of them a development one, on which every app boots in production', () => {
    const again = generatedDotEnv();
    const secretNames = Object.keys(DOT_ENV).filter((k) => !['NODE_ENV', 'JWT_ALGORITHM', 'ENCRYPTION_ACTIVE_KEY_ID', 'VAPID_PUBLIC_KEY'].includes(k));
    expect(secretNames.sort()).toEqual(
      ['ENCRYPTION_KEYS', 'JWT_SECRET', 'VAPID_PRIVATE_KEY', ...['ADMIN', 'GATEWAY', 'CHANNELS', 'MESSAGES', 'NOTIFICATIONS', 'ACTIVATION_RULES'].map((s) => `RABBITMQ_${s}_PASSWORD`)].sort(),
    );
    for (const name of secretNames) {
      expect(again[name]).not.toBe(DOT_ENV[name]);
      expect(isDevelopmentSecret(DOT_ENV[name])).toBe(false);
    }
    const production = generatedDotEnv(['--production', '--jwks-url', GATEWAY_PRODUCTION_AUTH.JWT_JWKS_URL, '--issuer', GATEWAY_PRODUCTION_AUTH.JWT_ISSUER, '--audience', GATEWAY_PRODUCTION_AUTH.JWT_AUDIENCE]);
    expect(production).toMatchObject({ NODE_ENV: 'production', ...GATEWAY_PRODUCTION_AUTH });
    const problems = APPS.flatMap((app) => bootProblems(app.config, composeEnvironment(compose.services[app.name], production)).map((p) => `${app.name}: ${p}`));
    expect(problems).toEqual([]);
    // …and the default, development mode, boots too (HS256 with the fresh JWT_SECRET).
    expect(APPS.flatMap((app) => bootProblems(app.config, composeEnvironment(compose.services[app.name], DOT_ENV)))).toEqual([]);
  });

  it('k8s runs production with RS256 from a JWKS, issuer and audience, and no JWT secret', () => {
    const k8s = loadK8s();
    const gateway = k8s.docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'messaging-gateway');
    const env = containerEnvironment(gateway.spec.template.spec.containers[0], k8s, 'gateway', []).env;
    expect(env).toMatchObject({ NODE_ENV: 'production', JWT_ALGORITHM: 'RS256' });
    expect(env.JWT_JWKS_URL).toMatch(/^https:\/\//);
    expect(env.JWT_ISSUER && env.JWT_AUDIENCE).toBeTruthy();
    expect(env.JWT_SECRET).toBeUndefined();
  });
});

describe('Services trust any actor in an RPC', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true });
  const k8s = loadK8s();

  function brokerUsersOf(envOf: (app: AppSpec) => Env): { user: string; expected: string }[] {
    return APPS.map((app) => {
      const env = envOf(app);
      return { user: amqpUserOf(env.AMQP_URL), expected: parseAmqpUsers(env.AMQP_USERS ?? DEFAULT_AMQP_USERS)[app.name as AmqpProcess] };
    });
  }

  it('docker-compose connects every service with a broker user of its own, the one AMQP_USERS names', () => {
    const users = brokerUsersOf((app) => composeEnvironment(compose.services[app.name]));
    expect(users.filter((u) => u.user !== u.expected)).toEqual([]);
    expect(new Set(users.map((u) => u.user)).size).toBe(APPS.length);
  });

  it('k8s connects every service with a broker user of its own, the one AMQP_USERS names', () => {
    const users = brokerUsersOf((app) => {
      const deployment = k8s.docs.find((d) => d.kind === 'Deployment' && d.metadata.name === `messaging-${app.name}`);
      return containerEnvironment(deployment.spec.template.spec.containers[0], k8s, app.name, []).env;
    });
    expect(users.filter((u) => u.user !== u.expected)).toEqual([]);
    expect(new Set(users.map((u) => u.user)).size).toBe(APPS.length);
  });

  it('docker-compose loads the broker users and their least-privilege permissions (libs/contracts broker-access.ts) at boot', () => {
    const template = JSON.parse(read('tools/deployment/rabbitmq-definitions.template.json'));
    const services = template.permissions.filter((p: Yaml) => p.user !== 'wellifiy-admin');
    expect(services).toEqual(allBrokerPermissions().map(({ process, permissions }) => ({ user: `wellifiy-${process}`, vhost: '/', ...permissions })));
    expect(template.users.map((u: Yaml) => u.name).sort()).toEqual(['wellifiy-admin', ...AMQP_PROCESSES.map((p) => `wellifiy-${p}`)].sort());
    expect(compose.services.rabbitmq.volumes).toEqual(
      expect.arrayContaining([
        './tools/deployment/compose-rabbitmq.conf:/etc/rabbitmq/conf.d/20-wellifiy.conf:ro',
        './.secrets/rabbitmq-definitions.json:/etc/rabbitmq/definitions.json:ro',
      ]),
    );
    expect(read('tools/deployment/compose-rabbitmq.conf')).toMatch(/^load_definitions = \/etc\/rabbitmq\/definitions\.json$/m);
  });

  it('k8s/rabbitmq declares the same users and permissions for the RabbitMQ Messaging Topology Operator', () => {
    const docs = ['users.yaml', 'permissions.yaml'].flatMap((f) => loadYamlDocuments(`k8s/rabbitmq/${f}`)).filter(Boolean);
    const permissions = docs.filter((d) => d.kind === 'Permission').map((d) => ({ user: d.spec.userReference.name, ...d.spec.permissions }));
    expect(permissions).toEqual(allBrokerPermissions().map(({ process, permissions: p }) => ({ user: `wellifiy-${process}`, ...p })));
    expect(docs.filter((d) => d.kind === 'User').map((d) => d.metadata.name)).toEqual(AMQP_PROCESSES.map((p) => `wellifiy-${p}`));
    const kustomization = parse(read('k8s/rabbitmq/kustomization.yaml'));
    expect(kustomization.resources).toEqual(['users.yaml', 'permissions.yaml']);
  });
});
