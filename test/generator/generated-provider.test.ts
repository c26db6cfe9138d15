import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
import { FleetServerProcess } from '../support/fleet-server-process';
import { serveOnly, Teardown } from '../support/teardown';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

const TOKEN = 'example-api-token';

/** Builds (once per kind) a generated package as its README says: npm install, npm run build. */
function builtPackage(root: string, kind: ManagerKind): string {
  const directory = join(root, `acme-${kind}`);
  if (existsSync(join(directory, 'dist', 'src', 'index.js'))) return directory;
  generateProvider({ name: `acme-${kind}`, managerType: kind, path: directory, events: true, metrics: true, knownTypes: Object.keys(providerTypes), cwd: root });
  installAndBuild(directory);
  return directory;
}

function installAndBuild(directory: string): void {
  for (const args of [['install', '--prefer-offline', '--no-audit', '--no-fund'], ['run', 'build']]) {
    const run = spawnSync('npm', args, { cwd: directory, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`npm ${args.join(' ')} in ${directory} failed:\n${run.stdout}\n${run.stderr}`);
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

  it('refuses a bad name, a type the fleet has, an unknown manager type and an existing folder, writing nothing', () => {
    const base = { managerType: 'cloud', events: true, metrics: true, knownTypes: Object.keys(providerTypes), cwd: join(root, 'refused') };
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
  });

  it('writes a package of each manager type that installs and builds, with the events and metrics left out when asked', () => {
    for (const kind of MANAGER_KINDS) {
      const directory = builtPackage(root, kind);
      // The built module is what a fleet loads: a type of the kind, named as asked.
      const loaded = (require(join(directory, 'dist', 'src', 'index.js')) as { providerType: { type: string; managerKind: string; events?: unknown; metrics?: unknown } }).providerType;
      expect(loaded).to.include({ type: `acme-${kind}`, managerKind: kind });
      expect(loaded.events).to.not.equal(undefined);
      expect(loaded.metrics).to.not.equal(undefined);
    }
    const { files } = generateProvider({
      name: 'bare', managerType: 'infra', path: join(root, 'bare'), events: false, metrics: false, knownTypes: [], cwd: root,
    });
    expect(files.filter((f) => f.startsWith('src/'))).to.have.members([
      'src/index.ts', 'src/native.ts', 'src/api-client.ts', 'src/inventory.ts', 'src/collector.ts', 'src/parser.ts', 'src/provider.ts',
    ]);
    installAndBuild(join(root, 'bare'));
    const bare = (require(join(root, 'bare', 'dist', 'src', 'index.js')) as { providerType: { events?: unknown; metrics?: unknown } }).providerType;
    expect([bare.events, bare.metrics]).to.deep.equal([undefined, undefined]);
  });

  it('is loaded by a running fleet: a provider of it is added through the API, refreshed, and its hosts and VMs read back', async () => {
    const directory = builtPackage(root, 'infra');
    const env = testEnv();
    const teardown = new Teardown();
    try {
      const api = exampleInfraApi();
      await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
      teardown.add(() => new Promise<void>((resolve) => api.close(() => resolve())));
      // Only the new provider is served, not the other tests' ones.
      await serveOnly(env.dataSource, '0', teardown);
      const server = FleetServerProcess.start({
        databaseUrl: env.databaseUrl, redisUrl: env.redisUrl, redisPrefix: env.redisPrefix, encryptionKey: env.encryptionKey,
        args: ['--provision-ms', '200', '--scan-ms', '200', '--leader-retry-ms', '300'],
        env: { FLEET_PROVIDER_TYPE_MODULES: JSON.stringify([join(directory, 'dist', 'src', 'index.js')]) },
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
      const created = await call('POST', '/api/v1/providers', {
        name: `acme-${process.pid}`, type: 'acme-infra',
        config: { endpoint: `http://127.0.0.1:${(api.address() as AddressInfo).port}`, pageSize: 2, timeoutSeconds: 10 }, credentials: { token: TOKEN },
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
    } finally {
      await teardown.run();
    }
  });
});
