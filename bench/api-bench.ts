import 'reflect-metadata';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { cpus, loadavg } from 'node:os';
import type { QueryConfig } from 'pg';
import type { DataSource } from 'typeorm';
import { CredentialsCipher } from '../src/crypto/credentials-cipher';
import { recountInventory } from '../src/db/inventory-recount';
import { fleetActivitySql } from '../src/queries/fleet-activity';
import { demoInventory } from '../src/providers/demo/demo-inventory';
import type { FleetOverviewView } from '../src/api/schemas/overview-schemas';
import { entities } from '../src/models';
import { ApiTokenStore } from '../src/api/api-token-store';
import { InventoryCatalog } from '../src/api/inventory/inventory-catalog';
import { statementName } from '../src/api/inventory/inventory-reader';
import { listStatements } from '../src/api/inventory/list-statements';
import { parseListQuery } from '../src/api/inventory/list-query';
import { rowStatement } from '../src/api/inventory/row-statement';
import { freePort } from '../test/support/free-port';
import { until } from '../test/support/wait';
import { startMigratedBenchDatabase } from './support/bench-database';
import { flag, fmt, log, median, percentile, round, runBench } from './support/bench-output';
import { Cleanups } from './support/cleanups';
import { watchCpuSteal } from './support/cpu-steal';
import { runClosedLoopQueries } from './support/closed-loop-queries';
import { spawnFleet } from './support/fleet-process';
import { killLeftWorkers } from './support/left-workers';
import { deleteKeys } from './support/redis-keys';
import { spreadId, VM_IDS_VARIABLE, vmPath } from './support/spread-ids';
import { loadSyntheticInventory } from './support/synthetic-inventory';

/**
 * `npm run bench:api [-- --vms N] [-- --seconds S]`: the inventory API on N VMs (default 1M, over 4 providers, with
 * their flavors, images, zones, hosts, volumes and security groups), served by a real `fleet server` in a process of
 * its own and loaded by autocannon from this one with 50 connections, S seconds (default 10) after a warm-up:
 * (a) a filtered, sorted page of 100 VMs, (b) a VM picked at random with its relations, (c) the home page's overview
 * (counts kept per provider, collection and state; events of the last hour; workers). Next to each, the baseline:
 * the same SQL the API runs, from 50 connections in the same closed loop, from as many as the server's pool (the
 * most the API can get from the database), and one at a time under EXPLAIN ANALYZE, so the API's own share is what
 * is left.
 */
const PROVIDERS = 4;
const CONNECTIONS = 50;
/** The database connections a fleet server's API has (the data source's default pool). */
const SERVER_POOL = 5;
const WARM_UP_SECONDS = 3;
const TARGET_P99_MS = 50;

interface Measured {
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
  requests: number;
  errors: number;
}

interface Case {
  label: string;
  /** The path of the first request, whose answer is checked. */
  firstPath: string;
  /** What autocannon sends: one path over and over, or what the module of this file name picks per request. */
  requests: { path: string } | { setupRequestModule: string };
  /** Called before autocannon's warm-up and before its measured run. */
  beforeRun?: (measured: boolean) => void;
  /** The statement the API runs for the i-th request. */
  sql: (index: number) => QueryConfig;
}

async function main(): Promise<void> {
  const vms = Number(flag('--vms') ?? 1_000_000);
  const seconds = Number(flag('--seconds') ?? 10);
  const cleanups = new Cleanups();
  try {
    const { url: databaseUrl, dataSource } = await startMigratedBenchDatabase(cleanups, `fleet_bench_api_${process.pid}`);
    const inventory = await loadSyntheticInventory(dataSource, { vms, providers: PROVIDERS });
    const { counts } = inventory;
    log(`inventory: ${counts.cloud_vms} VMs of ${PROVIDERS} providers, ${counts.cloud_volumes} volumes, ${counts.cloud_vm_security_groups} security group links, `
      + `${counts.cloud_hosts} hosts, ${counts.cloud_flavors} flavors; loaded in ${fmt(inventory.seconds)} s`);
    const countStarted = performance.now();
    const demoTables = Object.values(demoInventory).map((collection) => dataSource.getMetadata(collection.entity));
    for (const providerId of inventory.providerIds) await recountInventory(dataSource, providerId, demoTables);
    log(`counts: every collection of the ${PROVIDERS} providers counted per state in ${fmt((performance.now() - countStarted) / 1000)} s (what refresh workers do, out of their refreshes' way)`);
    const events = await addRecentEvents(dataSource, inventory.providerIds);
    log(`events: ${events} stored over the last two hours`);
    const { token } = await new ApiTokenStore(dataSource).create('bench-api');
    const apiUrl = await startFleetServer(cleanups, dataSource, databaseUrl);
    log(`API: \`fleet server\` in its own process (${SERVER_POOL} database connections); autocannon in a worker thread here, ${CONNECTIONS} connections, ${seconds} s per case after ${WARM_UP_SECONDS} s of warm-up`);

    const catalog = InventoryCatalog.fromEntities(dataSource, entities);
    const collection = catalog.get('cloud_vms');
    const query = { providerId: inventory.providerIds[0], powerState: 'running', 'launchedAt.gte': '2025-03-01T00:00:00Z', sort: 'name', limit: '100' };
    const [list] = listStatements(collection, parseListQuery(collection, query));
    const [{ first, count }] = await dataSource.query(`SELECT min(id)::text AS first, count(*)::int AS count FROM cloud_vms`);
    const vmId = (index: number): string => spreadId(index, BigInt(first), count);
    const pagePath = `/api/v1/inventory/cloud_vms?${new URLSearchParams(query)}`;
    const row = rowStatement(catalog, collection);
    const listName = statementName('inventory-list', list.text);
    const rowName = statementName('inventory-row', row);
    const cases: Case[] = [
      {
        label: `(a) a page: GET ${pagePath}`,
        firstPath: pagePath,
        requests: { path: pagePath },
        sql: () => ({ name: listName, text: list.text, values: [...list.values, Number(query.limit) + 1] }),
      },
      {
        label: `(b) a VM with its relations: GET /api/v1/inventory/cloud_vms/{id}, ids spread over all ${count}`,
        firstPath: vmPath(vmId(0)),
        requests: { setupRequestModule: require.resolve('./support/vm-row-request') },
        // The measured run starts half the table past the warm-up, so it does not ask for the rows the warm-up read.
        beforeRun: (measured) => { process.env[VM_IDS_VARIABLE] = `${first}:${count}:${measured ? Math.floor(count / 2) : 0}`; },
        // Prepared once per connection, as the server does.
        sql: (index) => ({ name: rowName, text: row, values: [vmId(index)] }),
      },
      {
        label: '(c) the overview: GET /api/v1/overview (made at most once a second; its SQL, one statement: providers, kept counts, events per minute, workers)',
        firstPath: '/api/v1/overview',
        requests: { path: '/api/v1/overview' },
        sql: () => ({ name: 'overview', text: fleetActivitySql(), values: [] }),
      },
    ];
    await checkAnswers(apiUrl, token, cases, counts.cloud_vms);

    const figures: Record<string, number> = {};
    log(`machine: ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)} before the runs`);
    for (const [key, benchCase] of [['page', cases[0]], ['vm', cases[1]], ['overview', cases[2]]] as const) {
      log(benchCase.label);
      const steal = watchCpuSteal();
      const api = await loadApi(apiUrl, token, benchCase, seconds);
      const stolen = steal();
      log(`    API over HTTP            p50 ${fmt(api.p50Ms).padStart(7)} ms  p99 ${fmt(api.p99Ms).padStart(7)} ms  ${Math.round(api.perSecond)} req/s (${api.requests} requests, ${api.errors} errors or non-2xx)`
        + (stolen === null ? '' : `; the host took ${fmt(stolen)} % of the CPU time meanwhile (steal)`));
      const sql = await runClosedLoopQueries({ databaseUrl, clients: CONNECTIONS, seconds, statement: benchCase.sql });
      const sqlP50 = percentile(sql.latenciesMs, 50);
      const sqlP99 = percentile(sql.latenciesMs, 99);
      log(`    its SQL, ${CONNECTIONS} clients      p50 ${fmt(sqlP50).padStart(7)} ms  p99 ${fmt(sqlP99).padStart(7)} ms  ${Math.round(sql.perSecond)} statements/s`);
      const pooled = await runClosedLoopQueries({ databaseUrl, clients: SERVER_POOL, seconds, statement: benchCase.sql });
      log(`    its SQL, ${SERVER_POOL} clients       p50 ${fmt(percentile(pooled.latenciesMs, 50)).padStart(7)} ms  p99 ${fmt(percentile(pooled.latenciesMs, 99)).padStart(7)} ms  `
        + `${Math.round(pooled.perSecond)} statements/s (as many as the server's pool: the most it can ask of the database)`);
      const explained = await explain(dataSource, benchCase.sql);
      log(`    its SQL, one at a time   planning ${fmt(explained.planningMs)} ms + execution ${fmt(explained.executionMs)} ms (EXPLAIN ANALYZE, median of 20)`);
      Object.assign(figures, {
        [`${key}P50Ms`]: round(api.p50Ms), [`${key}P99Ms`]: round(api.p99Ms), [`${key}PerSecond`]: Math.round(api.perSecond), [`${key}Errors`]: api.errors,
        [`${key}SqlP50Ms`]: round(sqlP50), [`${key}SqlP99Ms`]: round(sqlP99), [`${key}SqlPerSecond`]: Math.round(sql.perSecond),
        [`${key}SqlPoolPerSecond`]: Math.round(pooled.perSecond),
        [`${key}SqlPlanningMs`]: round(explained.planningMs), [`${key}SqlExecutionMs`]: round(explained.executionMs),
        ...(stolen === null ? {} : { [`${key}CpuStealPercent`]: round(stolen) }),
      });
    }
    figures.vms = counts.cloud_vms;
    const met = (['page', 'vm', 'overview'] as const).every((key) => figures[`${key}P99Ms`] <= TARGET_P99_MS && figures[`${key}Errors`] === 0);
    console.log(JSON.stringify({ bench: 'api', figures, targets: { p99Ms: `<= ${TARGET_P99_MS}` }, met }));
  } finally {
    await cleanups.run();
  }
}

/** A `fleet server` on a free port, configured through its environment only, as an operator runs it. */
async function startFleetServer(cleanups: Cleanups, dataSource: DataSource, databaseUrl: string): Promise<string> {
  const settings = {
    databaseUrl, redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', redisPrefix: `fleet-bench-api-${process.pid}`,
    encryptionKey: CredentialsCipher.generateKey(),
  };
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
  cleanups.add(() => redis.disconnect());
  cleanups.add(() => deleteKeys(redis, [`${settings.redisPrefix}:*`]));
  const port = await freePort();
  const server = spawnFleet(['server'], { ...settings, env: { FLEET_API_PORT: String(port) } });
  cleanups.add(() => killLeftWorkers(dataSource));
  cleanups.add(() => server.stop('SIGTERM', 40_000));
  const apiUrl = `http://127.0.0.1:${port}`;
  await until(async () => ((await fetch(`${apiUrl}/readyz`).catch(() => null))?.ok ? true : undefined), 'the fleet server to be ready', 60_000);
  return apiUrl;
}

/** Events of the providers over the last two hours, about one a second per provider: what their catchers would have stored. */
async function addRecentEvents(dataSource: DataSource, providerIds: readonly string[]): Promise<number> {
  const [{ count }] = await dataSource.query(
    `WITH added AS (
       INSERT INTO event_streams (provider_id, source_id, event_type, "timestamp", message)
       SELECT p::bigint, 'bench-' || p || '-' || n, 'vm.power_on', now() - n * interval '1 second', 'bench'
         FROM unnest($1::text[]) p, generate_series(1, 7200) n RETURNING 1
     ) SELECT count(*)::int AS count FROM added`, [providerIds]);
  await dataSource.query('ANALYZE event_streams');
  return count;
}

/**
 * The answers are what the cases mean to measure: a full page with a next one, a VM with its volumes and groups,
 * an overview that counts every VM.
 */
async function checkAnswers(apiUrl: string, token: string, cases: readonly Case[], vms: number): Promise<void> {
  const get = async (path: string): Promise<Record<string, unknown>> => {
    const response = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const page = await get(cases[0].firstPath);
  if (!Array.isArray(page.items) || page.items.length !== 100 || typeof page.next !== 'string') throw new Error('(a) is not a full page with a next one');
  const vm = await get(cases[1].firstPath);
  const relations = vm.relations as Record<string, unknown>;
  if (!Array.isArray(relations.volumes) || relations.volumes.length === 0 || !Array.isArray(relations.securityGroups) || !relations.flavor || !relations.host) {
    throw new Error('(b) is not a VM with its flavor, host, volumes and security groups');
  }
  const overview = await get(cases[2].firstPath) as unknown as FleetOverviewView;
  const counted = overview.totals.collections.find((collection) => collection.inventory === 'cloud_vms')?.count;
  if (overview.totals.eventsLastHour < PROVIDERS * 3_500) throw new Error(`(c) counts ${overview.totals.eventsLastHour} events of the last hour, not about ${PROVIDERS * 3_600}`);
  if (overview.providers.length !== PROVIDERS || counted !== vms) throw new Error(`(c) counts ${counted} VMs of ${overview.providers.length} providers, not ${vms} of ${PROVIDERS}`);
}

async function loadApi(apiUrl: string, token: string, benchCase: Case, seconds: number): Promise<Measured> {
  // autocannon runs in a worker thread: a thread and heap of its own, so this process's garbage collections do not
  // stop its clock. One path is written once and sent over and over; a request made per send costs the CPUs the
  // server shares with it.
  const common = { connections: CONNECTIONS, workers: 1, headers: { authorization: `Bearer ${token}` } };
  const options: autocannon.Options = 'path' in benchCase.requests
    ? { ...common, url: `${apiUrl}${benchCase.requests.path}` }
    : { ...common, url: apiUrl, requests: [{ setupRequest: benchCase.requests.setupRequestModule }] };
  // The server's pool, statements and JIT warm up first; only the second run is measured.
  benchCase.beforeRun?.(false);
  await autocannon({ ...options, duration: WARM_UP_SECONDS });
  benchCase.beforeRun?.(true);
  const result = await autocannon({ ...options, duration: seconds });
  return {
    p50Ms: result.latency.p50, p99Ms: result.latency.p99, perSecond: result.requests.average,
    requests: result.requests.total, errors: result.errors + result.non2xx,
  };
}

/** Median planning and execution times of the statement as PostgreSQL reports them, over 20 runs. */
async function explain(dataSource: DataSource, sql: (index: number) => QueryConfig): Promise<{ planningMs: number; executionMs: number }> {
  const planning: number[] = [];
  const execution: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    const { text, values } = sql(i);
    const explained: { 'QUERY PLAN': { 'Planning Time': number; 'Execution Time': number }[] }[] = await dataSource.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
    const [plan] = explained[0]['QUERY PLAN'];
    planning.push(plan['Planning Time']);
    execution.push(plan['Execution Time']);
  }
  return { planningMs: median(planning), executionMs: median(execution) };
}

runBench(main);
