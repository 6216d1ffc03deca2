import { HostAllowList, isPublicAddress } from './address-policy';

describe('isPublicAddress: where an outbound request may connect (SSRF)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private 10/8'],
    ['10.255.255.255', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12'],
    ['172.31.255.254', 'private 172.16/12'],
    ['192.168.1.1', 'private 192.168/16'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.254', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'documentation'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fc00::1', 'IPv6 unique local'],
    ['fd12:3456::1', 'IPv6 unique local'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'IPv6 link-local with zone'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form'],
    ['::ffff:10.1.2.3', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of 169.254.169.254'],
    ['2002:7f00:1::', '6to4 of 127.0.0.1'],
    ['[::1]', 'bracketed IPv6 loopback'],
    ['localhost', 'not an IP address'],
  ])('%s (%s) → refused', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    ['93.184.215.14'],
    ['8.8.8.8'],
    ['172.15.255.255'],
    ['172.32.0.1'],
    ['100.63.255.255'],
    ['100.128.0.1'],
    ['169.253.1.1'],
    ['2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    ['2001:4860:4860::8888'],
    ['::ffff:8.8.8.8'],
  ])('%s → public, allowed', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('HostAllowList (LINK_PREVIEW_ALLOWED_HOSTS, PUSH_ALLOWED_HOSTS)', () => {
  const list = new HostAllowList(' 127.0.0.1:8080 , Intranet.Example ,[::1]:9000');

  it('permits a listed host:port and a listed host on any port, case-insensitively', () => {
    expect(list.permits(new URL('http://127.0.0.1:8080/x'))).toBe(true);
    expect(list.permits(new URL('https://intranet.example:8443/'))).toBe(true);
  });

  it('does not permit the same host on another port, or unlisted hosts', () => {
    expect(list.permits(new URL('http://127.0.0.1:8081/'))).toBe(false);
    expect(list.permits(new URL('http://127.0.0.1/'))).toBe(false);
    expect(list.permits(new URL('http://169.254.169.254/latest/meta-data'))).toBe(false);
  });

  it('an empty list permits nothing', () => {
    expect(new HostAllowList('').permits(new URL('http://127.0.0.1:8080/'))).toBe(false);
  });
});
