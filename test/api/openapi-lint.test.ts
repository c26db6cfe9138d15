import { expect } from 'chai';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { ApiFixture } from '../support/api-fixture';

/**
 * The served OpenAPI document as Redocly's linter reads it, with its recommended rules: what API gateways, portals
 * and client generators rely on (summaries, operation ids, declared security, 4xx answers, servers...).
 */
describe('API: OpenAPI document lint', function () {
  this.timeout(30_000);
  let api: ApiFixture;

  before(async () => {
    api = await ApiFixture.start();
  });
  after(() => api?.close());

  it('has no problem under Redocly\'s recommended rules', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(response.statusCode).to.equal(200);
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: response.body, absoluteRef: 'openapi.json', config });
    const described = problems.map((problem) => `${problem.severity} ${problem.ruleId} at ${problem.location[0]?.pointer ?? '?'}: ${problem.message}`);
    // The probes answer 200 or 503 whatever they are sent, and need no token: there is no 4xx to document.
    const probes = /^warn operation-4xx-response at #\/paths\/~1(healthz|readyz)\/get\/responses:/;
    expect(described.filter((problem) => !probes.test(problem))).to.deep.equal([]);
  });
});
