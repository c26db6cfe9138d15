import { expect } from 'chai';
import { startDemoCloud, type RunningDemoCloud } from '../../src/demo-cloud';
import { ApiFixture } from '../support/api-fixture';

const SECRET = 'demo-secret';

describe('API: providers and provider types', function () {
  let api: ApiFixture;
  let cloud: RunningDemoCloud;
  const name = `api-demo-${Date.now()}`;
  const body = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    type: 'demo', name, region: 'us-east-1', config: { endpoint: cloud.url }, credentials: { accessKey: 'demo-access', secretKey: SECRET }, ...overrides,
  });

  before(async () => {
    cloud = await startDemoCloud({ vms: 10, seed: 3 });
    api = await ApiFixture.start();
  });
  after(async () => {
    await api?.close();
    await cloud?.close();
  });

  it('refuses a request without a token, with a wrong one and with a revoked one, saying nothing more', async () => {
    for (const headers of [{}, { authorization: 'Bearer pft_nope' }, { authorization: 'Basic abc' }, { authorization: `Bearer ${api.token}x` }]) {
      const response = await api.app.inject({ method: 'GET', url: '/api/v1/providers', headers });
      expect(response.statusCode, JSON.stringify(headers)).to.equal(401);
      expect(response.json()).to.deep.equal({ error: 'unauthorized' });
    }
    const { token } = await api.tokens.create(`revoked-${Date.now()}`);
    const ok = await api.app.inject({ method: 'GET', url: '/api/v1/providers', headers: { authorization: `Bearer ${token}` } });
    expect(ok.statusCode).to.equal(200);
    await api.tokens.revoke((await api.tokens.list()).find((t) => t.name.startsWith('revoked-'))!.id);
    const refused = await api.app.inject({ method: 'GET', url: '/api/v1/providers', headers: { authorization: `Bearer ${token}` } });
    expect(refused.statusCode).to.equal(401);
  });

  it('answers health checks without a token', async () => {
    expect((await api.app.inject({ method: 'GET', url: '/healthz' })).json()).to.deep.equal({ status: 'ok' });
    const ready = await api.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).to.equal(200);
    expect(ready.json()).to.deep.equal({ status: 'ready', database: 'ok', redis: 'ok' });
  });

  it('lists provider types with their schemas, form and regions', async () => {
    const response = await api.get('/api/v1/provider-types');
    expect(response.statusCode).to.equal(200);
    const demo = (response.json() as { type: string; regions: { name: string }[]; form: { fields: unknown[] }; collections: { name: string; inventory: string }[] }[]).find((t) => t.type === 'demo');
    expect(demo?.regions.map((r) => r.name)).to.include('us-east-1');
    expect(demo?.form.fields.length).to.be.greaterThan(2);
    expect(demo?.collections).to.deep.include({ name: 'vms', inventory: 'cloud_vms' });
    expect((await api.get('/api/v1/provider-types/demo')).json()).to.have.property('title', 'Awesome Cloud');
    expect((await api.get('/api/v1/provider-types/nope')).statusCode).to.equal(404);
  });

  it('verifies an unsaved provider: valid for good keys, a message for bad ones, 400 for bad input', async () => {
    expect((await api.post('/api/v1/providers/verify', body())).json()).to.deep.equal({ valid: true });
    const refused = (await api.post('/api/v1/providers/verify', body({ credentials: { accessKey: 'demo-access', secretKey: 'wrong-secret' } }))).json() as { valid: boolean; message: string };
    expect(refused.valid).to.equal(false);
    expect(refused.message).to.match(/credentials/);
    const invalid = await api.post('/api/v1/providers/verify', body({ config: { endpoint: 'not a url' } }));
    expect(invalid.statusCode).to.equal(400);
    expect(invalid.json().error).to.match(/^config\.endpoint: /);
  });

  it('creates, shows, lists, updates and deletes a provider, never returning its credentials', async () => {
    const created = await api.post('/api/v1/providers', body());
    expect(created.statusCode, created.body).to.equal(201);
    const provider = created.json() as { id: string; name: string; status: string };
    expect(provider).to.include({ name, status: 'never' });
    expect(created.body).not.to.include(SECRET);

    expect((await api.get(`/api/v1/providers/${provider.id}`)).json()).to.include({ name });
    expect((await api.get(`/api/v1/providers/${name}`)).json()).to.include({ id: provider.id });
    const list = await api.get('/api/v1/providers');
    expect((list.json() as { id: string }[]).map((p) => p.id)).to.include(provider.id);
    expect(list.body).not.to.include(SECRET);

    const duplicate = await api.post('/api/v1/providers', body());
    expect(duplicate.statusCode).to.equal(409);

    const updated = await api.request({ method: 'PATCH', url: `/api/v1/providers/${provider.id}`, payload: { enabled: false, refreshIntervalMinutes: 30, config: { pageSize: 50 } } });
    expect(updated.statusCode, updated.body).to.equal(200);
    expect(updated.json()).to.deep.include({ enabled: false, refreshIntervalMinutes: 30, status: 'disabled' });
    expect(updated.json().config).to.deep.include({ endpoint: cloud.url, pageSize: 50 });

    const badCredentials = await api.request({ method: 'PATCH', url: `/api/v1/providers/${provider.id}`, payload: { credentials: { accessKey: 'demo-access', secretKey: 'wrong' } } });
    expect(badCredentials.statusCode).to.equal(400);
    expect((await api.post(`/api/v1/providers/${provider.id}/verify`)).json(), 'stored keys unchanged').to.deep.equal({ valid: true });

    const removed = await api.request({ method: 'DELETE', url: `/api/v1/providers/${provider.id}` });
    expect(removed.statusCode).to.equal(200);
    expect((await api.get(`/api/v1/providers/${provider.id}`)).statusCode).to.equal(404);
  });

  it('refuses bad input with 400 naming the field, and unknown providers with 404', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [body({ name: 123 }), /^body\.name: /],
      [body({ extra: true }), /^body\.extra: is not a known field/],
      [body({ region: 'mars-1' }), /^region: unknown region/],
      [body({ type: 'nope' }), /unknown provider type "nope"/],
      [body({ config: { endpoint: cloud.url, pageSize: 'big' } }), /^config\.pageSize: /],
      [body({ credentials: { accessKey: 'demo-access' } }), /^credentials\.secretKey: is required/],
      [body({ refreshIntervalMinutes: -1 }), /^body\.refreshIntervalMinutes: /],
    ];
    for (const [payload, message] of cases) {
      const response = await api.post('/api/v1/providers', payload);
      expect(response.statusCode, JSON.stringify(payload)).to.equal(400);
      expect(response.json().error).to.match(message);
    }
    for (const request of [
      { method: 'GET' as const, url: '/api/v1/providers/no-such' },
      { method: 'PATCH' as const, url: '/api/v1/providers/999999', payload: { enabled: true } },
      { method: 'DELETE' as const, url: '/api/v1/providers/no-such' },
      { method: 'POST' as const, url: '/api/v1/providers/no-such/verify' },
    ]) {
      expect((await api.request(request)).statusCode, `${request.method} ${request.url}`).to.equal(404);
    }
    const unknownParameter = await api.get('/api/v1/providers?limit=5');
    expect(unknownParameter.statusCode).to.equal(400);
    expect(unknownParameter.json().error).to.equal('querystring.limit: is not a known field');
    expect(api.logged()).not.to.include(SECRET);
  });
});
