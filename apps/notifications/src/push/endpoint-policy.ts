import { AddressRefused, checkedAddress, HostAllowList, ResolvedAddress, Resolver, systemResolver } from '@wellifiy/outbound';

/** Why a push endpoint is refused; the message names the problem (it reaches the client as a 400). */
export class EndpointRefused extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'EndpointRefused';
  }
}

/**
 * A push endpoint is a URL the service will POST to, chosen by a client: without a policy it is a (blind)
 * SSRF vector. Endpoints must be https, and their host must resolve to public addresses only — the policy
 * link previews use (@wellifiy/outbound) — unless `PUSH_ALLOWED_HOSTS` names the host (tests run a local push
 * service, over http). The check runs at registration and again before every send, whose connection goes to
 * the address checked then: a name that later resolves to an internal address (DNS rebinding) is refused.
 */
export class PushEndpointPolicy {
  constructor(
    private readonly allowList: HostAllowList,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  /** The endpoint as a URL and the address to connect to; throws EndpointRefused. */
  async check(endpoint: string): Promise<{ url: URL; address: ResolvedAddress }> {
    const url = this.parse(endpoint);
    try {
      return { url, address: await checkedAddress(url, this.allowList, this.resolve) };
    } catch (err) {
      if (err instanceof AddressRefused) throw new EndpointRefused(`endpoint host is not public: ${err.reason}`);
      throw err;
    }
  }

  private parse(endpoint: string): URL {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new EndpointRefused('endpoint is not a URL');
    }
    if (url.username || url.password) throw new EndpointRefused('endpoint must not carry credentials');
    if (this.allowList.permits(url)) {
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EndpointRefused('endpoint must be http(s)');
    } else if (url.protocol !== 'https:') {
      throw new EndpointRefused('endpoint must be https');
    }
    return url;
  }
}
