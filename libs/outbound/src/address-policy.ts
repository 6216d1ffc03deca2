import { isIP } from 'node:net';

/*
 * Where our servers may connect on a user's behalf (link previews, push endpoints): public unicast
 * addresses only. Everything below is refused — such a request must not reach our own network, cloud
 * metadata (169.254.169.254) or the host itself.
 */
const BLOCKED_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

/** IPv6 prefixes as [first 8 hextets as bigint, prefix length]. */
const BLOCKED_V6: [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::', 96], // IPv4-compatible (deprecated)
  ['64:ff9b::', 96], // NAT64: would reach an IPv4 address we did not check
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds an IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function v6ToBigInt(ip: string): bigint {
  let text = ip;
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = v4ToInt(dotted[1]);
    text = text.slice(0, -dotted[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = tail === undefined ? headParts : [...headParts, ...Array<string>(missing).fill('0'), ...tailParts];
  return parts.reduce((acc, h) => (acc << 16n) + BigInt(parseInt(h || '0', 16)), 0n);
}

const inV4 = (ip: number, [base, bits]: [string, number]): boolean => {
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((ip & mask) >>> 0) === ((v4ToInt(base) & mask) >>> 0);
};

const inV6 = (ip: bigint, [base, bits]: [string, number]): boolean => {
  const shift = BigInt(128 - bits);
  return ip >> shift === v6ToBigInt(base) >> shift;
};

/**
 * true for a public unicast address an outbound request may connect to; false for private, loopback, link-local,
 * CGNAT, multicast, unspecified, documentation and reserved ones, in IPv4 and IPv6 — an IPv4-mapped
 * IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it carries. Not an IP at all: false.
 */
export function isPublicAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 4) {
    const n = v4ToInt(ip);
    return !BLOCKED_V4.some((net) => inV4(n, net));
  }
  if (family === 6) {
    const n = v6ToBigInt(ip.toLowerCase());
    if (n >> 32n === 0xffffn) {
      const v4 = Number(n & 0xffffffffn);
      return isPublicAddress([v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255].join('.'));
    }
    return !BLOCKED_V6.some((net) => inV6(n, net));
  }
  return false;
}

/**
 * Hosts an outbound request may reach although they resolve to a non-public address (a config value such as
 * `LINK_PREVIEW_ALLOWED_HOSTS` or `PUSH_ALLOWED_HOSTS`): `host` (any port) or `host:port` entries, comma-separated.
 */
export class HostAllowList {
  private readonly entries: Set<string>;

  constructor(value: string | undefined) {
    this.entries = new Set(
      (value ?? '')
        .split(',')
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    );
  }

  /** Whether `url` may be fetched even though its host resolves to a non-public address. */
  permits(url: URL): boolean {
    const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return this.entries.has(host) || this.entries.has(`${host}:${port}`);
  }
}
