import { loadOpenApiConformance, OpenApiConformance } from './support/openapi-conformance';
import { gatewayUrl } from './support/system';

/*
 * The check every api() call runs (support/client.ts) can fail: a body or a status the gateway's own
 * document does not describe is reported. Every other spec that calls api() relies on it.
 */
describe('OpenAPI conformance of responses (complete API documents)', () => {
  let conformance: OpenApiConformance;

  beforeAll(async () => {
    conformance = await loadOpenApiConformance(gatewayUrl);
  });

  const me = { userId: 'u1', orgId: 'o1', kind: 'patient', perms: [], firstName: null, lastName: null, displayName: null, avatarMediaId: null };

  it('accepts a body as documented', () => {
    expect(conformance.check('GET', '/v1/me', 200, 'application/json; charset=utf-8', me)).toBeNull();
  });

  it('reports a wrong type, a missing field and an undocumented field', () => {
    expect(conformance.check('GET', '/v1/me', 200, 'application/json', { ...me, kind: 'robot' })).toMatch(/GET \/v1\/me → 200: body does not match.*\/kind/);
    const { orgId: _orgId, ...missing } = me;
    expect(conformance.check('GET', '/v1/me', 200, 'application/json', missing)).toMatch(/orgId/);
    expect(conformance.check('GET', '/v1/me', 200, 'application/json', { ...me, email: 'x@example.com' })).toMatch(/additional properties \(email\)/);
  });

  it('reports a status the operation does not document, and an error body that is not { statusCode, error, message }', () => {
    expect(conformance.check('GET', '/v1/me', 418, 'application/json', {})).toMatch(/status not documented/);
    expect(conformance.check('GET', '/v1/channels/ch_1', 404, 'application/json', { message: 'gone' })).toMatch(/statusCode/);
  });

  it('matches literal path segments before parameters', () => {
    expect(conformance.check('GET', '/v1/admin/activation-rules/pending?type=care_team', 200, 'application/json', [])).toBeNull();
    expect(conformance.check('GET', '/v1/admin/activation-rules/pending', 200, 'application/json', {})).toMatch(/pending → 200: body does not match/);
  });
});
