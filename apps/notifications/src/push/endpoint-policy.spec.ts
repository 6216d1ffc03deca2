import { HostAllowList, Resolver } from '@wellifiy/outbound';
import { PushEndpointPolicy } from './endpoint-policy';

/** DNS as a table: names not in it do not resolve. */
const dns = (table: Record<string, string[]>): Resolver => async (host) => (table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const problemOf = (policy: PushEndpointPolicy, endpoint: string): Promise<string | null> =>
  policy.check(endpoint).then(
    () => null,
    (err: Error & { problem?: string }) => err.problem ?? `unexpected: ${err.message}`,
  );

describe('push endpoint policy (no SSRF through push subscriptions)', () => {
  const publicDns = dns({
    'fcm.googleapis.com': ['142.250.180.10'],
    'updates.push.services.mozilla.com': ['34.107.221.82', '2600:1901:0:92a9::'],
  });
  const policy = new PushEndpointPolicy(new HostAllowList(''), publicDns);

  it('accepts https on a host that resolves to public addresses', async () => {
    expect(await problemOf(policy, 'https://fcm.googleapis.com/fcm/send/abc')).toBeNull();
    expect(await problemOf(policy, 'https://updates.push.services.mozilla.com/wpush/v2/x')).toBeNull();
  });

  it.each([
    ['http://fcm.googleapis.com/x', 'endpoint must be https'],
    ['https://user:pw@fcm.googleapis.com/x', 'endpoint must not carry credentials'],
    ['not a url', 'endpoint is not a URL'],
    ['ftp://fcm.googleapis.com/x', 'endpoint must be https'],
    ['https://127.0.0.1/x', 'endpoint host is not public: 127.0.0.1 resolves to a non-public address (127.0.0.1)'],
    ['https://10.0.0.5/x', 'endpoint host is not public: 10.0.0.5 resolves to a non-public address (10.0.0.5)'],
    ['https://[::1]/x', 'endpoint host is not public: ::1 resolves to a non-public address (::1)'],
    ['https://metadata/x', 'endpoint host is not public: metadata does not resolve'],
  ])('refuses %s', async (endpoint, problem) => {
    expect(await problemOf(policy, endpoint)).toBe(problem);
  });

  /*
   * Item 6 (push endpoints are a blind SSRF): the old check read the host name only, so a public-looking
   * name resolving inside our network passed, and several reserved ranges were missed.
   */
  describe('item 6: a push endpoint is judged by the addresses its host resolves to', () => {
    const internal = dns({
      'push.attacker.example': ['10.1.2.3'],
      'loop.attacker.example': ['127.0.0.1'],
      'metadata.attacker.example': ['169.254.169.254'],
      'mixed.attacker.example': ['142.250.180.10', '192.168.0.10'],
      'ula.attacker.example': ['fd00::1'],
    });
    const strict = new PushEndpointPolicy(new HostAllowList(''), internal);

    it.each([
      ['push.attacker.example', '10.1.2.3'],
      ['loop.attacker.example', '127.0.0.1'],
      ['metadata.attacker.example', '169.254.169.254'],
      ['mixed.attacker.example', '192.168.0.10'],
      ['ula.attacker.example', 'fd00::1'],
    ])('a public name resolving to a private address is refused: %s → %s', async (host, address) => {
      expect(await problemOf(strict, `https://${host}/push/1`)).toBe(`endpoint host is not public: ${host} resolves to a non-public address (${address})`);
    });

    it.each([
      ['https://198.18.0.1/x', 'benchmarking range'],
      ['https://192.0.0.8/x', 'IETF protocol assignments'],
      ['https://240.0.0.1/x', 'reserved'],
      ['https://[64:ff9b::a01:203]/x', 'NAT64 of 10.1.2.3'],
      ['https://[::ffff:7f00:1]/x', 'IPv4-mapped loopback'],
      ['https://[2002:a01:203::1]/x', '6to4 of 10.1.2.3'],
    ])('ranges the old list missed are refused: %s (%s)', async (endpoint) => {
      expect(await problemOf(strict, endpoint)).toMatch(/^endpoint host is not public: .+ resolves to a non-public address/);
    });

    it('the check answers the address to connect to, so a send goes where the check looked', async () => {
      await expect(policy.check('https://fcm.googleapis.com/fcm/send/abc')).resolves.toMatchObject({ address: { address: '142.250.180.10', family: 4 } });
    });
  });

  it('the allow-list admits a local push service (tests), over http too; other ports stay refused', async () => {
    const local = new PushEndpointPolicy(new HostAllowList(' 127.0.0.1 , push.test:8080 '), dns({ 'push.test': ['127.0.0.1'] }));
    expect(await problemOf(local, 'http://127.0.0.1:4567/p')).toBeNull();
    expect(await problemOf(local, 'http://push.test:8080/p')).toBeNull();
    expect(await problemOf(local, 'http://push.test:9090/p')).toBe('endpoint must be https');
    expect(await problemOf(local, 'https://push.test:9090/p')).toBe('endpoint host is not public: push.test resolves to a non-public address (127.0.0.1)');
  });
});
