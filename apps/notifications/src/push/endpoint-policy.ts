import { isIP } from 'node:net';

/**
 * A push endpoint is a URL the service will POST to, chosen by a client: without a policy it is an SSRF
 * vector. Endpoints must be https on a public host name or address, unless their host[:port] is in the
 * configured allow-list (tests run a local push service).
 */
export function pushEndpointProblem(endpoint: string, allowedHosts: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'endpoint is not a URL';
  }
  if (url.username || url.password) return 'endpoint must not carry credentials';
  const hostPort = url.port ? `${url.hostname}:${url.port}` : url.hostname;
  if (allowedHosts.includes(hostPort) || allowedHosts.includes(url.hostname)) {
    return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'endpoint must be http(s)';
  }
  if (url.protocol !== 'https:') return 'endpoint must be https';
  if (isPrivateHost(url.hostname)) return 'endpoint host is not public';
  return null;
}

function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return true;
  const family = isIP(host);
  if (family === 4) {
    const [a, b] = host.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (family === 6) return host === '::1' || host === '::' || host.startsWith('fc') || host.startsWith('fd') || host.startsWith('fe80') || host.startsWith('::ffff:');
  return !host.includes('.'); // single-label names resolve inside the network
}

export function parseAllowedHosts(value: string | undefined): string[] {
  return (value ?? '').split(',').map((h) => h.trim()).filter(Boolean);
}
