import { expect } from 'chai';
import { ApiFixture } from '../support/api-fixture';

interface OpenApiDocument {
  paths: Record<string, { get?: { parameters?: { name: string; in: string; schema?: { enum?: string[] } }[] } }>;
}

describe('API: the OpenAPI document of the operations routes', function () {
  let api: ApiFixture;

  before(async () => {
    api = await ApiFixture.start();
  });
  after(async () => {
    await api?.close();
  });

  it('describes events, metrics, workers and queues with their query parameters and allowed values', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(response.statusCode).to.equal(200);
    const { paths } = response.json() as OpenApiDocument;
    const parameters = (path: string) => Object.fromEntries((paths[path]?.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p.schema]));
    expect(Object.keys(parameters('/api/v1/events'))).to.have.members(['providerId', 'type', 'collection', 'objectId', 'since', 'until', 'limit', 'after']);
    expect(parameters('/api/v1/events').collection?.enum).to.include('cloud_vms');
    expect(parameters('/api/v1/metrics').collection?.enum).to.include.members(['cloud_vms', 'cloud_hosts', 'providers']);
    expect(parameters('/api/v1/metrics').interval?.enum).to.deep.equal(['realtime', 'hourly', 'daily']);
    expect(parameters('/api/v1/workers').status?.enum).to.deep.equal(['requested', 'running', 'stopping', 'stopped']);
    expect(Object.keys(parameters('/api/v1/queues'))).to.deep.equal(['providerId']);
  });

  it('serves the API explorer page and its assets', async () => {
    const page = await api.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).to.equal(200);
    expect(page.headers['content-type']).to.match(/^text\/html/);
    const script = /src="\.\/(static\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script, page.body).to.be.a('string');
    const asset = await api.app.inject({ method: 'GET', url: `/api/docs/${script}` });
    expect(asset.statusCode).to.equal(200);
    expect(asset.body.length).to.be.greaterThan(1000);
  });
});
