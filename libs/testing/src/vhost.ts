import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';

/**
 * Runs the end-to-end system in a RabbitMQ virtual host of its own when the broker is local and
 * rabbitmqctl is at hand: the services' durable queues then cannot be shared with a development system
 * (or another test run) on the same broker, which would steal each other's messages.
 */
export function createIsolatedVhost(amqpUrl: string): { url: string; vhost: string | null } {
  const url = new URL(amqpUrl);
  const local = ['localhost', '127.0.0.1', '::1'].includes(url.hostname);
  if (!local || process.env.E2E_SHARED_VHOST === '1' || !hasRabbitmqctl()) return { url: amqpUrl, vhost: null };
  const vhost = `wellifiy-e2e-${randomUUID().slice(0, 8)}`;
  const user = decodeURIComponent(url.username || 'guest');
  rabbitmqctl(['add_vhost', vhost]);
  rabbitmqctl(['set_permissions', '-p', vhost, user, '.*', '.*', '.*']);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return { url: url.toString(), vhost };
}

export function deleteVhost(vhost: string): void {
  rabbitmqctl(['delete_vhost', vhost]);
}

function hasRabbitmqctl(): boolean {
  try {
    execFileSync('rabbitmqctl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function rabbitmqctl(args: string[]): void {
  execFileSync('rabbitmqctl', args, { stdio: 'ignore', timeout: 30_000 });
}
