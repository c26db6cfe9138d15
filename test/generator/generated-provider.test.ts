import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ApiTokenStore } from '../../src/api/api-token-store';
import { ValidationError } from '../../src/errors';
import { MANAGER_KINDS, type ManagerKind } from '../../src/generator/manager-kinds';
import { generateProvider } from '../../src/generator/provider-generator';
import { providerTypes } from '../../src/providers/provider-types';
import type { Cassette } from '../../src/testing/cassette';
import { runFleet } from '../support/fleet-cli';
import { FleetServerProcess } from '../support/fleet-server-process';
import { SignedInBrowser } from '../support/signed-in-browser';
import { serveOnly, Teardown } from '../support/teardown';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

const TOKEN = 'example-api-token';

/** Generates (once per kind, with `fleet generate provider`) a package, installs it and runs its tests (which build it). */
async function builtPackage(root: string, kind: ManagerKind): Promise<string> {
  const directory = join(root, `acme-${kind}`);
  if (existsSync(join(directory, 'dist', 'src', 'index.js'))) return directory;
  const generated = await runFleet(['generate', 'provider', `acme-${kind}`, '--manager-type', kind, '--path', directory], { cwd: root });
  if (generated.code !== 0) throw new Error(`fleet generate provider failed:\n${generated.stderr}`);
  await installAndTest(directory);
  return directory;
}

async function installAndTest(directory: string): Promise<void> {
  for (const args of [['install', '--prefer-offline', '--no-audit', '--no-fund'], ['test']]) {
    const run = await npm(directory, args, {});
    if (run.code !== 0) throw new Error(`npm ${args.join(' ')} in ${directory} failed:\n${run.output}`);
  }
}

/** An infrastructure API in the generated package's example layout: two pages of hosts, VMs on them. */
function exampleInfraApi(): Server {
  const objects: Record<string, Record<string, unknown>[]> = {
    clusters: [{ id: 'cluster-1', name: 'production' }],
    hosts: [1, 2, 3].map((n) => ({ id: `host-${n}`, name: `esx-0${n}`, hostname: `esx-0${n}.example.com`, power_state: 'on', cpu_cores: 32, memory_mb: 262144, cluster_id: 'cluster-1' })),
    datastores: [{ id: 'datastore-1', name: 'vsan', store_type: 'vsan', accessible: true }],
    vms: [1, 2, 3, 4, 5].map((n) => ({ id: `vm-${n}`, name: `web-${n}`, power_state: 'on', cpus: 2, memory_mb: 4096, guest_os: 'ubuntu64Guest', host_id: `host-${1 + (n % 3)}`, cluster_id: 'cluster-1' })),
  };
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://example');
    const answer = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return answer(401, { error: 'bad token' });
    const [, , , path, id] = url.pathname.split('/');
    if (path === 'ping') return answer(200, { ok: true });
    if (path === 'events') return answer(200, { events: [], position: '0' });
    if (path === 'metrics') return answer(200, { interval_seconds: 20, series: [] });
    const items = objects[path ?? ''];
    if (items === undefined) return answer(404, { error: 'no such collection' });
    if (id !== undefined) {
      const found = items.find((item) => item.id === id);
      return found ? answer(200, found) : answer(404, { error: 'gone' });
    }
    const limit = Number(url.searchParams.get('limit'));
    const start = Number(url.searchParams.get('cursor') ?? 0);
    const next = start + limit < items.length ? String(start + limit) : null;
    return answer(200, { items: items.slice(start, start + limit), next });
  });
}

/**
 * A live API answering as a generated package's cassettes say (those of real exchanges, not the made-up faults), to
 * requests bearing `token`: what a provider in the example layout would answer. Answers each request it serves.
 */
function apiFromCassettes(directory: string, token: string): { server: Server; served: string[] } {
  const answers = new Map<string, { status: number; body: unknown }>();
  for (const file of readdirSync(directory)) {
    const cassette = JSON.parse(readFileSync(join(directory, file), 'utf8')) as Cassette;
    if (cassette.interactions.some((i) => i.madeByRecorder !== undefined)) continue;
    for (const { request, response } of cassette.interactions) {
      if ('body' in response) answers.set(requestKey(request.path, new URLSearchParams(request.query)), { status: response.status, body: response.body });
    }
  }
  const served: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://live');
    const found = request.headers.authorization === `Bearer ${token}` ? answers.get(requestKey(url.pathname, url.searchParams)) : { status: 401, body: {} };
    served.push(`${url.pathname}${url.search}`);
    response.writeHead(found?.status ?? 404, { 'content-type': 'application/json', date: new Date().toUTCString() }).end(JSON.stringify(found?.body ?? { error: 'no such request' }));
  });
  return { server, served };
}

/** npm in a package, with more environment; not blocking this process, whose servers (a live API) it may call. */
function npm(directory: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', args, { cwd: directory, env: { ...process.env, ...env } });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.once('close', (code) => resolve({ code, output }));
  });
}

function requestKey(path: string, query: URLSearchParams): string {
  return `${path}?${[...query].map(([k, v]) => `${k}=${v}`).sort().join('&')}`;
}

/**
 * `fleet generate provider`: a package for a type of one's own that builds at once and that a running fleet loads
 * through `providerTypeModules`, without a line of the fleet changed.
 */
describe('generated provider packages', function () {
  this.timeout(240_000);
  let root: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'fleet-generated-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a bad name, a type the fleet has, an unknown manager type and an existing folder, writing nothing', async () => {
    const base = { managerType: 'cloud', events: true, metrics: true, cassettes: true, knownTypes: Object.keys(providerTypes), cwd: join(root, 'refused') };
    mkdirSync(base.cwd);
    const refusal = (options: Partial<typeof base> & { name: string; path?: string }): string => {
      try {
        generateProvider({ ...base, ...options });
      } catch (error: unknown) {
        if (error instanceof ValidationError) return error.message;
        throw error;
      }
      throw new Error(`${options.name} was generated`);
    };
    expect(refusal({ name: 'Awesome_Cloud' })).to.match(/^"Awesome_Cloud" is not a valid type name: lowercase letters/);
    expect(refusal({ name: 'demo' })).to.equal('the fleet already has a provider type "demo": choose another name');
    expect(refusal({ name: 'acme', managerType: 'storage' })).to.equal('unknown manager type "storage" (known: cloud, infra, container)');
    expect(readdirSync(base.cwd)).to.deep.equal([]);
    mkdirSync(join(base.cwd, 'taken'));
    expect(refusal({ name: 'acme', path: 'taken' })).to.equal(`${join(base.cwd, 'taken')} exists: give another --path, or remove it first`);
    expect(readdirSync(join(base.cwd, 'taken'))).to.deep.equal([]);
    // The command says the same, and fails.
    const refused = await runFleet(['generate', 'provider', 'kubernetes', '--manager-type', 'container'], { cwd: base.cwd });
    expect([refused.code, refused.stderr.trim()]).to.deep.equal([1, 'error: the fleet already has a provider type "kubernetes": choose another name']);
    expect(readdirSync(base.cwd)).to.deep.equal(['taken']);
  });

  it('writes a package of each manager type whose own tests pass at once, with the events, metrics or cassettes left out when asked', async () => {
    for (const kind of MANAGER_KINDS) {
      const directory = await builtPackage(root, kind);
      // The built module is what a fleet loads: a type of the kind, named as asked.
      const loaded = (require(join(directory, 'dist', 'src', 'index.js')) as { providerType: { type: string; managerKind: string; events?: unknown; metrics?: unknown } }).providerType;
      expect(loaded).to.include({ type: `acme-${kind}`, managerKind: kind });
      expect(loaded.events).to.not.equal(undefined);
      expect(loaded.metrics).to.not.equal(undefined);
    }
    const { files } = generateProvider({
      name: 'bare', managerType: 'infra', path: join(root, 'bare'), events: false, metrics: false, cassettes: true, knownTypes: [], cwd: root,
    });
    expect(files.filter((f) => f.startsWith('src/'))).to.have.members([
      'src/index.ts', 'src/native.ts', 'src/api-client.ts', 'src/inventory.ts', 'src/collector.ts', 'src/parser.ts', 'src/provider.ts',
    ]);
    await installAndTest(join(root, 'bare'));
    const bare = (require(join(root, 'bare', 'dist', 'src', 'index.js')) as { providerType: { events?: unknown; metrics?: unknown } }).providerType;
    expect([bare.events, bare.metrics]).to.deep.equal([undefined, undefined]);
    // Without cassettes: no test suite, and no test script that would pass without testing anything.
    const plain = await runFleet(['generate', 'provider', 'plain', '--manager-type', 'cloud', '--no-cassettes', '--path', 'plain'], { cwd: root });
    expect(plain.code, plain.stderr).to.equal(0);
    expect(existsSync(join(root, 'plain', 'test'))).to.equal(false);
    expect(JSON.parse(readFileSync(join(root, 'plain', 'package.json'), 'utf8')).scripts).to.deep.equal({ build: 'rm -rf dist && tsc -p .' });
    for (const args of [['install', '--prefer-offline', '--no-audit', '--no-fund'], ['run', 'build']]) {
      expect((await npm(join(root, 'plain'), args, {})).code, `npm ${args.join(' ')}`).to.equal(0);
    }
  });

  it('records its cassettes again against a live API with FLEET_CASSETTES=record, without the token, and replays them', async () => {
    const directory = await builtPackage(root, 'container');
    const cassettes = join(directory, 'test', 'cassettes', 'acme-container');
    const liveToken = `live-token-${process.pid}`;
    const live = apiFromCassettes(cassettes, liveToken);
    await new Promise<void>((resolve) => live.server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(live.server.address() as AddressInfo).port}`;
      const recorded = await npm(directory, ['test'], { FLEET_CASSETTES: 'record', FLEET_CASSETTE_ENDPOINT: endpoint, FLEET_CASSETTE_TOKEN: liveToken });
      expect(recorded.code, recorded.output).to.equal(0);
      expect(live.served).to.include('/api/v1/ping');
      const fullRefresh = readFileSync(join(cassettes, 'full-refresh.json'), 'utf8');
      expect(JSON.parse(fullRefresh)).to.have.property('recordedAgainst').that.matches(/^a live API, recorded /);
      // Made-up faults stay as the generator wrote them; nothing recorded holds the token or the live endpoint.
      expect(JSON.parse(readFileSync(join(cassettes, 'listing-fails.json'), 'utf8')).recordedAgainst).to.match(/^the example API layout/);
      for (const file of readdirSync(cassettes)) {
        const text = readFileSync(join(cassettes, file), 'utf8');
        expect(text, file).to.not.include(liveToken);
        expect(text, file).to.not.include(endpoint);
      }
    } finally {
      await new Promise<void>((resolve) => live.server.close(() => resolve()));
    }
    const replayed = await npm(directory, ['test'], {});
    expect(replayed.code, replayed.output).to.equal(0);
  });

  it('is loaded by a running fleet: a provider of it is added through the API, refreshed, and its hosts and VMs read back; the UI\'s form adds one too', async () => {
    const directory = await builtPackage(root, 'infra');
    const modules = JSON.stringify([join(directory, 'dist', 'src', 'index.js')]);
    const env = testEnv();
    const teardown = new Teardown();
    try {
      const api = exampleInfraApi();
      await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
      teardown.add(() => new Promise<void>((resolve) => api.close(() => resolve())));
      const endpoint = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
      // Only the new provider is served, not the other tests' ones.
      await serveOnly(env.dataSource, '0', teardown);
      const server = FleetServerProcess.start({
        databaseUrl: env.databaseUrl, redisUrl: env.redisUrl, redisPrefix: env.redisPrefix, encryptionKey: env.encryptionKey,
        args: ['--provision-ms', '200', '--scan-ms', '200', '--leader-retry-ms', '300'],
        env: { FLEET_PROVIDER_TYPE_MODULES: modules },
      });
      teardown.add(() => server.stop(30_000));
      const baseUrl = await until(() => {
        if (server.child.exitCode !== null) throw new Error(`fleet server exited early:\n${server.output()}`);
        const listening = server.events('server.started')[0]?.api;
        return typeof listening === 'string' ? listening : undefined;
      }, 'the fleet server to listen', 60_000);
      const { token } = await new ApiTokenStore(env.dataSource).create(`generated-${process.pid}`);
      const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
        const response = await fetch(new URL(path, baseUrl), {
          method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: response.status, json: await response.json() };
      };

      const types = (await call('GET', '/api/v1/provider-types')).json as { type: string }[];
      expect(types.map((t) => t.type)).to.include('acme-infra');
      const listed = await runFleet(['provider', 'types'], { cwd: root, env: { FLEET_PROVIDER_TYPE_MODULES: modules } });
      expect(listed.stdout.split('\n').find((line) => line.includes('acme-infra'))).to.match(/acme-infra .*Acme Infra .*infra .*yes .*yes .*providerTypeModules/);
      const created = await call('POST', '/api/v1/providers', {
        name: `acme-${process.pid}`, type: 'acme-infra',
        config: { endpoint, pageSize: 2, timeoutSeconds: 10 }, credentials: { token: TOKEN },
      });
      expect(created.status, JSON.stringify(created.json)).to.equal(201);
      const providerId = (created.json as { id: string }).id;
      await env.dataSource.query('UPDATE providers SET enabled = true WHERE id = $1', [providerId]);
      teardown.add(() => env.dataSource.query('DELETE FROM providers WHERE id = $1', [providerId]));

      // Its refresh worker refreshes it at start; the inventory API shows what the example API holds.
      const vms = await until(async () => {
        const page = (await call('GET', `/api/v1/inventory/infra_vms?providerId=${providerId}&sort=name`)).json as { items: { name: string }[] };
        return page.items.length === 5 ? page.items : undefined;
      }, 'the VMs of the generated provider', 60_000);
      expect(vms.map((vm) => vm.name)).to.deep.equal(['web-1', 'web-2', 'web-3', 'web-4', 'web-5']);
      const hosts = (await call('GET', `/api/v1/inventory/infra_hosts?providerId=${providerId}&sort=name`)).json as { items: { name: string; cpuCores: number }[] };
      expect(hosts.items.map((h) => [h.name, h.cpuCores])).to.deep.equal([['esx-01', 32], ['esx-02', 32], ['esx-03', 32]]);

      // The UI's add-provider form shows the type from its schema: its fields, validated against the API, and saved.
      const browser = await SignedInBrowser.at(baseUrl, 'generated-form');
      teardown.add(() => browser.close());
      const { page, pageErrors } = browser;
      const name = `acme-form-${process.pid}`;
      await page.getByRole('link', { name: 'Add provider' }).click();
      await page.getByLabel('Provider type').selectOption('acme-infra');
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByLabel('API endpoint', { exact: true }).fill(endpoint);
      await page.getByLabel('API token', { exact: true }).fill(TOKEN);
      await page.getByRole('button', { name: 'Validate' }).click();
      await page.getByTestId('validate-result').filter({ hasText: 'Credentials valid' }).waitFor();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(/\/providers\/\d+$/);
      const [saved] = await env.dataSource.query('SELECT id, config FROM providers WHERE name = $1', [name]);
      teardown.add(() => env.dataSource.query('DELETE FROM providers WHERE id = $1', [saved.id]));
      expect(saved.config).to.deep.equal({ endpoint, pageSize: 500, timeoutSeconds: 30 });
      expect(pageErrors).to.deep.equal([]);
    } finally {
      await teardown.run();
    }
  });
});
