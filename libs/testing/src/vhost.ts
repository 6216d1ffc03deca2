import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { amqpUserOf } from '@wellifiy/config';
import { AMQP_PROCESSES, AmqpProcess, brokerPermissions } from '@wellifiy/contracts';

/** A broker user per process kind, each with the least-privilege permissions of libs/messaging broker-permissions.ts. */
export interface BrokerUsers {
  /** Connection URL of each process kind: its own user and a fresh password. */
  urls: Record<AmqpProcess, string>;
  /** The AMQP_USERS value naming them. */
  amqpUsers: string;
  names: string[];
}

export type Rabbitmqctl = (args: string[]) => void;

/**
 * Creates (or re-keys) `<prefix>-<process>` users with fresh random passwords and sets their permissions on the
 * vhost of `baseUrl`. Run by every local launcher (development, end-to-end, fault suite) so the services run
 * with users of their own there too, as in docker-compose and k8s.
 */
export function provisionBrokerUsers(ctl: Rabbitmqctl, baseUrl: string, prefix: string): BrokerUsers {
  const base = new URL(baseUrl);
  const vhost = decodeURIComponent(base.pathname.replace(/^\//, '')) || '/';
  const urls = {} as Record<AmqpProcess, string>;
  const names: string[] = [];
  for (const process of AMQP_PROCESSES) {
    const user = `${prefix}-${process}`;
    const password = randomBytes(18).toString('hex');
    try {
      ctl(['add_user', user, password]);
    } catch {
      ctl(['change_password', user, password]); // left by an earlier run of the same launcher
    }
    const { configure, write, read } = brokerPermissions(process);
    ctl(['set_permissions', '-p', vhost, user, configure, write, read]);
    const url = new URL(baseUrl);
    url.username = encodeURIComponent(user);
    url.password = password;
    urls[process] = url.toString();
    names.push(user);
  }
  return { urls, names, amqpUsers: AMQP_PROCESSES.map((p) => `${p}:${amqpUserOf(urls[p])}`).join(',') };
}

/** The AMQP_USERS value of a system whose processes all share the user of `url` (no rabbitmqctl at hand). */
export function sharedAmqpUsers(url: string): string {
  return AMQP_PROCESSES.map((p) => `${p}:${amqpUserOf(url)}`).join(',');
}

/**
 * Runs the end-to-end system in a RabbitMQ virtual host of its own when the broker is local and
 * rabbitmqctl is at hand: the services' durable queues then cannot be shared with a development system
 * (or another test run) on the same broker, which would steal each other's messages. Each process kind
 * gets a user of its own there (`users`; `url` stays the administrator's, for the tests' own probes).
 */
export function createIsolatedVhost(amqpUrl: string): { url: string; vhost: string | null; users: BrokerUsers | null } {
  const url = new URL(amqpUrl);
  if (!canProvision(amqpUrl) || process.env.E2E_SHARED_VHOST === '1') return { url: amqpUrl, vhost: null, users: null };
  const vhost = `wellifiy-e2e-${randomUUID().slice(0, 8)}`;
  const user = decodeURIComponent(url.username || 'guest');
  rabbitmqctl(['add_vhost', vhost]);
  rabbitmqctl(['set_permissions', '-p', vhost, user, '.*', '.*', '.*']);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return { url: url.toString(), vhost, users: provisionBrokerUsers(rabbitmqctl, url.toString(), vhost) };
}

/** Removes the virtual host and the users made for it. */
export function deleteVhost(vhost: string): void {
  rabbitmqctl(['delete_vhost', vhost]);
  for (const process of AMQP_PROCESSES) {
    try {
      rabbitmqctl(['delete_user', `${vhost}-${process}`]);
    } catch {
      // made without users (an older run) or already gone
    }
  }
}

/** Whether users and vhosts can be made here: the broker is local and rabbitmqctl answers. */
export function canProvision(amqpUrl: string): boolean {
  const local = ['localhost', '127.0.0.1', '::1'].includes(new URL(amqpUrl).hostname);
  return local && hasRabbitmqctl();
}

function hasRabbitmqctl(): boolean {
  try {
    execFileSync('rabbitmqctl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function rabbitmqctl(args: string[]): void {
  execFileSync('rabbitmqctl', args, { stdio: 'ignore', timeout: 30_000 });
}
