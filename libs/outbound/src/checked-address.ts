import { lookup } from 'node:dns/promises';
import { isIP, LookupFunction } from 'node:net';
import { HostAllowList, isPublicAddress } from './address-policy';

export interface ResolvedAddress {
  address: string;
  family: number;
}

export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;
export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** Why an outbound connection is not made; the message names the host and, if any, the refused address. */
export class AddressRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'AddressRefused';
  }
}

/**
 * The address to connect to for `url`: its host resolved here and every answer checked (isPublicAddress)
 * unless the allow-list names the host. Connect to the returned address only (pinnedLookup): a second DNS
 * answer could name another one (DNS rebinding). Throws AddressRefused.
 */
export async function checkedAddress(url: URL, allowList: HostAllowList, resolve: Resolver = systemResolver): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  const addresses = literal ? [{ address: host, family: literal }] : await resolve(host).catch(() => []);
  if (addresses.length === 0) throw new AddressRefused(`${host} does not resolve`);
  if (!allowList.permits(url)) {
    const blocked = addresses.find((a) => !isPublicAddress(a.address));
    if (blocked) throw new AddressRefused(`${host} resolves to a non-public address (${blocked.address})`);
  }
  return addresses[0];
}

/** A `lookup` for node:http(s) that answers every question with the address that was checked: no second lookup. */
export function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_host, opts, cb) => {
    if (opts.all) (cb as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
    else cb(null, pinned.address, pinned.family);
  };
}
