import { parseAllowedHosts, pushEndpointProblem } from './endpoint-policy';

describe('push endpoint policy (no SSRF through push subscriptions)', () => {
  it('accepts https on a public host', () => {
    expect(pushEndpointProblem('https://fcm.googleapis.com/fcm/send/abc', [])).toBeNull();
    expect(pushEndpointProblem('https://updates.push.services.mozilla.com/wpush/v2/x', [])).toBeNull();
  });

  it.each([
    ['http://fcm.googleapis.com/x', 'endpoint must be https'],
    ['https://127.0.0.1/x', 'endpoint host is not public'],
    ['https://localhost:8443/x', 'endpoint host is not public'],
    ['https://10.0.0.5/x', 'endpoint host is not public'],
    ['https://192.168.1.1/x', 'endpoint host is not public'],
    ['https://169.254.169.254/latest', 'endpoint host is not public'],
    ['https://[::1]/x', 'endpoint host is not public'],
    ['https://metadata/x', 'endpoint host is not public'],
    ['https://user:pw@fcm.googleapis.com/x', 'endpoint must not carry credentials'],
    ['not a url', 'endpoint is not a URL'],
    ['ftp://fcm.googleapis.com/x', 'endpoint must be https'],
  ])('refuses %s', (endpoint, problem) => {
    expect(pushEndpointProblem(endpoint, [])).toBe(problem);
  });

  it('the allow-list admits a local push service (tests), over http too', () => {
    const allowed = parseAllowedHosts(' 127.0.0.1 , push.test:8080 ');
    expect(allowed).toEqual(['127.0.0.1', 'push.test:8080']);
    expect(pushEndpointProblem('http://127.0.0.1:4567/p', allowed)).toBeNull();
    expect(pushEndpointProblem('http://push.test:8080/p', allowed)).toBeNull();
    expect(pushEndpointProblem('http://push.test:9090/p', allowed)).toBe('endpoint must be https');
  });
});
