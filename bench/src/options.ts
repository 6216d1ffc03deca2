import { parseArgs } from 'node:util';

/**
 * Loads the system the way its users do and prints the figures of DESIGN §7 beside their bars.
 * Without --gateway it starts its own system (own RabbitMQ vhost, databases and queue prefix).
 */
export const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    gateway: { type: 'string' },
    amqp: { type: 'string' },
    'jwt-secret': { type: 'string' },
    out: { type: 'string', default: 'reports/benchmark.md' },
    sockets: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'call-sites': { type: 'boolean', default: false },
    /** First port of the system the benchmark starts (gateway; the services take the next four). */
    port: { type: 'string', default: '3600' },
    /** Stored messages the history phase ends at (reads measured at 10k / 100k / 1M on the way); 0 = no phase. */
    history: { type: 'string' },
    /** Processes of every service and of the gateway (replica r on the ports 10 × r above the first's). */
    replicas: { type: 'string', default: '1' },
  },
});

export const replicas = Number(args.replicas ?? 1);
if (!Number.isInteger(replicas) || replicas < 1 || replicas > 9) throw new Error(`--replicas must be a whole number from 1 to 9, not ${args.replicas}`);

export const quick = args.quick ?? false;
export const scale = {
  users: Number(args.sockets ?? (quick ? 120 : 1000)),
  rates: quick ? [50] : [50, 200, 400],
  phaseSeconds: quick ? 4 : 15,
  ramp: quick ? [10, 25, 50, 100] : [10, 25, 50, 100, 200, 400, 800, 1500],
  rampSeconds: quick ? 3 : 8,
  fanoutSizes: quick ? [2, 10, 30] : [2, 10, 50, 200, 500],
  rawSeconds: quick ? 1 : 3,
  history: Number(args.history ?? (quick ? 2000 : 1_000_000)),
  historySamples: quick ? 10 : 50,
};
