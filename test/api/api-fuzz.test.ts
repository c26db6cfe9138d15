import { expect } from 'chai';
import type { InjectOptions } from 'fastify';
import { ApiFixture } from '../support/api-fixture';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';

/** A small seeded generator, so a failing case can be run again exactly (FUZZ_SEED=...). */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values that are wrong for almost any field: wrong types, extremes, injection attempts, odd text. */
const BAD_VALUES: unknown[] = [
  123, -1, 0, 1.5, 1e308, -1e308, true, false, null, [], {}, [1, 2], { $gt: '' }, '',
  'x'.repeat(70_000), '9'.repeat(40), '-1', '0', 'NaN', 'Infinity', '1e309', '0x10', ' 1', '1 ',
  "' OR '1'='1", "1; DROP TABLE providers;--", "1' UNION SELECT token_hash FROM api_tokens--", "name') OR 1=1--",
  '$(reboot)', '`id`', '<script>alert(1)</script>', '../../etc/passwd', '%00', '\u0000', '{{7*7}}', '${7*7}',
  '__proto__', 'constructor', 'prototype', '😀', '\uD800', 'null', 'undefined', 'true', '2026-13-45T99:99:99Z',
  'refresh-1-1', 'refresh-99999999999999999999-1', 'cloud_vms', 'pg_catalog.pg_user', 'providers;', '*', '%', '_', '\\',
];

/** The same values as they travel in a URL: text, sometimes not even valid percent-encoding. */
function asUrlText(value: unknown): string {
  if (typeof value === 'string') return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, 'x'));
  return encodeURIComponent(JSON.stringify(value));
}

interface Operation {
  method: string;
  path: string;
  queryNames: string[];
  hasBody: boolean;
}

/** Every operation the OpenAPI document declares: the fuzz covers routes added later without being told. */
function operationsOf(document: { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: unknown }>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      operations.push({
        method: method.toUpperCase(), path,
        queryNames: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        hasBody: operation.requestBody !== undefined,
      });
    }
  }
  return operations;
}

describe('API fuzz: generated bad requests', function () {
  this.timeout(300_000);
  let api: ApiFixture;
  let demo: DemoFixture;
  const seed = Number(process.env.FUZZ_SEED ?? 20261122);

  before(async () => {
    demo = await DemoFixture.start({ vms: 20 });
    await demo.refresh();
    api = await ApiFixture.start();
  });
  after(async () => {
    await api?.close();
    await demo?.close();
  });

  it('answers at least 2,000 bad requests without a 5xx, and never shows a secret', async () => {
    const random = randomSource(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const spec = (await api.get('/api/docs/json')).json() as Parameters<typeof operationsOf>[0];
    // Deleting the fixture's provider would leave the later requests nothing real to miss; everything else is fair.
    const operations = operationsOf(spec).filter((o) => !o.path.startsWith('/api/docs'));
    expect(operations.length).to.be.greaterThan(10);

    const validProvider = {
      type: 'demo', name: 'fuzzed', region: 'us-east-1', config: { endpoint: demo.cloud.url },
      credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
    };
    const mutated = (): unknown => {
      const body: Record<string, unknown> = structuredClone(validProvider);
      const where = pick(['name', 'type', 'region', 'zone', 'config', 'credentials', 'config.endpoint', 'config.pageSize', 'credentials.secretKey', 'refreshIntervalMinutes', 'targets', 'enabled', 'unknownField']);
      const [outer, inner] = where.split('.');
      if (inner) (body[outer] as Record<string, unknown>)[inner] = pick(BAD_VALUES);
      else body[outer] = pick(BAD_VALUES);
      return random() < 0.1 ? pick(BAD_VALUES) : body;
    };
    const pathFor = (operation: Operation): string => operation.path.replace(/\{[^}]+\}/g, (param) => {
      // Mostly bad ids; sometimes the real provider, so the bad part is elsewhere in the request.
      if (param === '{provider}' && operation.method !== 'DELETE' && random() < 0.3) return demo.provider.id;
      if (param === '{collection}' && random() < 0.5) return pick(['cloud_vms', 'cloud_hosts', 'container_pods', 'cloud_volumes']);
      return asUrlText(pick(BAD_VALUES)).slice(0, 2000);
    });
    const inventoryFilters = ['name', 'powerState', 'id', 'providerId', 'cpus.gte', 'memoryMb.lt', 'launchedAt.gt', 'name.gte', 'raw', 'contentHash', 'q', 'sort', 'fields', 'after', 'limit', 'nope'];

    const requests: InjectOptions[] = [];
    while (requests.length < 2400) {
      const operation = pick(operations);
      const query = new URLSearchParams();
      const names = [...operation.queryNames, ...(operation.path.includes('/inventory/') ? inventoryFilters : []), 'unknownParam'];
      for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) query.append(pick(names), asUrlText(pick(BAD_VALUES)).slice(0, 3000));
      const url = `${pathFor(operation)}?${query.toString().replace(/%25/g, '%')}`;
      const request: InjectOptions = { method: operation.method as InjectOptions['method'], url };
      if (operation.hasBody || random() < 0.1) {
        const shape = random();
        if (shape < 0.75) request.payload = JSON.stringify(mutated());
        else if (shape < 0.85) request.payload = '{"name": ';
        else if (shape < 0.9) request.payload = 'x'.repeat(1_100_000);
        else request.payload = JSON.stringify({ ...validProvider, config: { endpoint: `http://127.0.0.1:1/${pick(BAD_VALUES)}` } });
        request.headers = { 'content-type': random() < 0.9 ? 'application/json' : pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) };
      }
      requests.push(request);
    }

    const secrets = ['demo-secret', testEnv().encryptionKey, api.token];
    const failures: string[] = [];
    let answered = 0;
    for (const request of requests) {
      const response = await api.request(request);
      answered++;
      if (response.statusCode >= 500) failures.push(`${response.statusCode} ${request.method} ${String(request.url).slice(0, 200)}: ${response.body.slice(0, 200)}`);
      for (const secret of secrets) {
        if (response.body.includes(secret)) failures.push(`secret in the answer to ${request.method} ${String(request.url).slice(0, 200)}`);
      }
    }
    expect(answered).to.be.at.least(2000);
    expect(failures, failures.slice(0, 10).join('\n')).to.deep.equal([]);
    const logged = api.logged();
    for (const secret of secrets) expect(logged.includes(secret), 'a secret in the API log').to.equal(false);
  });
});
