import { AMQP_PROCESSES, AmqpProcess } from '@wellifiy/contracts';

/** The user names docker-compose and k8s create (README, Security). */
export const DEFAULT_AMQP_USERS = AMQP_PROCESSES.map((p) => `${p}:wellifiy-${p}`).join(',');

const ENTRY = /^([a-z-]+):([A-Za-z0-9_.@-]{1,64})$/;

/**
 * `gateway:user,channels:user,…` (AMQP_USERS) → the broker user of each process kind. Throws an Error naming
 * what is wrong: a kind missing or twice, an unknown kind, a malformed user name.
 */
export function parseAmqpUsers(value: string): Record<AmqpProcess, string> {
  const users: Partial<Record<AmqpProcess, string>> = {};
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = ENTRY.exec(part);
    if (!m) throw new Error(`"${part.slice(0, 80)}" is not process:user`);
    const kind = m[1] as AmqpProcess;
    if (!AMQP_PROCESSES.includes(kind)) throw new Error(`unknown process "${m[1]}" (expected ${AMQP_PROCESSES.join(', ')})`);
    if (users[kind]) throw new Error(`${kind} is named twice`);
    users[kind] = m[2];
  }
  const missing = AMQP_PROCESSES.filter((p) => !users[p]);
  if (missing.length) throw new Error(`no user for ${missing.join(', ')}`);
  return users as Record<AmqpProcess, string>;
}

/** The user a connection to `url` logs in as (amqplib's default is guest). */
export function amqpUserOf(url: string): string {
  return decodeURIComponent(new URL(url).username) || 'guest';
}
