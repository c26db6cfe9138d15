import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { CredentialsCipher } from '../src/crypto/credentials-cipher';
import { createLogger } from '../src/logging/logger';
import { HttpRetryPolicy } from '../src/providers/http-retry';
import { ProviderStore } from '../src/providers/provider-store';
import { VimClient } from '../src/providers/vmware/vim-client';
import type { ManagedObjectReference } from '../src/providers/vmware/vim-values';
import { viewPages } from '../src/providers/vmware/vmware-collector';
import { PHASE_ORDER } from '../src/providers/vmware/vmware-property-sets';
import { PrivateVcsim, type VcsimSize } from '../test/support/vcsim';
import { sleep } from '../test/support/wait';
import { startMigratedBenchDatabase } from './support/bench-database';
import { flag, fmt, log, percentile, round, runBench } from './support/bench-output';
import { Cleanups } from './support/cleanups';
import { copyBaseline } from './support/copy-baseline';
import { readRuns, type ShowingRun } from './support/event-latency';
import type { FleetSettings } from './support/fleet-process';
import { endToEnd, fleetRefresh, type RefreshRun } from './support/fleet-refresh';
import { startFleetServerAtRest } from './support/fleet-server-at-rest';
import { refreshWorkerPeakRss } from './support/refresh-worker-rss';

/**
 * `npm run bench:vmware [-- --changes N]`: the vmware type against vcsim holding 3,000 VMs on 2 datacenters,
 * 4 clusters, 40 hosts and 20 datastores.
 * 1. A full refresh (a real `fleet refresh` process) against its baseline in the same run: the same container views
 *    and RetrievePropertiesEx calls, with the same property sets and page size, and no database, plus a raw COPY of
 *    the rows the refresh stored.
 * 2. A no-op re-refresh, which must write nothing.
 * 3. A real `fleet server` keeping the provider current from vCenter's updates while VMs are powered off and on
 *    through the SOAP API, one after another: per change, the time from the task's answer to the VM's row showing
 *    the new power state.
 * 4. The peak RSS of the refresh processes (the `fleet refresh` runs and the server's refresh worker).
 */
const PAGE_SIZE = 500;
/** Tables of a vmware refresh, referenced tables first, as a raw COPY must fill them. */
const VMWARE_TABLES = [
  'infra_datacenters', 'infra_folders', 'infra_clusters', 'infra_resource_pools', 'infra_hosts', 'infra_datastores', 'infra_networks',
  'infra_vms', 'infra_disks', 'infra_vm_datastores', 'infra_vm_networks',
];
const SIZE: VcsimSize = {
  datacenters: 2, clustersPerDatacenter: 2, hostsPerCluster: 10, standaloneHosts: 0, poolsPerCluster: 0, vmsPerPool: 750, datastores: 20, portgroups: 2,
};
const TARGETS = { refreshVsBaseline: 1.5, noopWrites: 0, p99Ms: 1_000, peakRssMb: 256 };
/** How long one change may take to show before it counts as lost. */
const CHANGE_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  const changeCount = Number(flag('--changes') ?? 200);
  const cleanups = new Cleanups();
  try {
    const vcsim = new PrivateVcsim(SIZE);
    const startedMs = performance.now();
    await vcsim.start();
    cleanups.add(() => vcsim.stop());
    const client = new VimClient({
      sdkUrl: vcsim.sdkUrl, username: vcsim.username, password: vcsim.password, timeoutMs: 60_000, retry: new HttpRetryPolicy({ maxAttempts: 1 }),
      tls: { caCertificate: vcsim.certificatePem, certificateFingerprint: null, insecureSkipTlsVerify: false },
    });
    cleanups.add(() => client.close());
    log(`vcsim started in ${fmt((performance.now() - startedMs) / 1000)} s`);

    const { url: databaseUrl, dataSource } = await startMigratedBenchDatabase(cleanups, `fleet_bench_vmware_${process.pid}`);
    const settings: FleetSettings = {
      databaseUrl, redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
      redisPrefix: `fleet-bench-vmware-${process.pid}`, encryptionKey: CredentialsCipher.generateKey(),
    };
    const store = new ProviderStore({ dataSource, cipher: new CredentialsCipher(settings.encryptionKey), logger: createLogger({ level: 'warn' }) });
    const provider = await store.create({
      type: 'vmware', name: 'bench-vcenter',
      config: { sdkUrl: vcsim.sdkUrl, caCertificate: vcsim.certificatePem, insecureSkipTlsVerify: false, pageSize: PAGE_SIZE, timeoutSeconds: 60 },
      credentials: { username: vcsim.username, password: vcsim.password },
    });

    const first = await fleetRefresh(provider.id, settings);
    const retrieveStarted = performance.now();
    const retrieved = await retrieveEverything(client);
    const retrieveSeconds = (performance.now() - retrieveStarted) / 1000;
    const copy = await copyBaseline(dataSource, provider.id, VMWARE_TABLES);
    const noop = await fleetRefresh(provider.id, settings);
    log(`full refresh ${fmt(endToEnd(first))} s (${first.writes} rows) | baseline: retrievals ${fmt(retrieveSeconds)} s (${retrieved} objects) + raw COPY ${fmt(copy.seconds)} s (${copy.rows} rows)`);
    log(`no-op re-refresh ${fmt(endToEnd(noop))} s, ${noop.writes} writes`);

    const power = await powerChangeLatency(cleanups, { dataSource, store, providerId: provider.id, settings, client, changeCount });
    report({ first, noop, retrieveSeconds, copySeconds: copy.seconds, rows: copy.rows, power });
  } finally {
    await cleanups.run();
  }
}

/** What the refresh asks vCenter, with no database: each phase's objects, retrieved page by page as the collector does. */
async function retrieveEverything(client: VimClient): Promise<number> {
  const { rootFolder } = await client.serviceContent();
  const settings = { pageSize: PAGE_SIZE, logger: createLogger({ level: 'warn' }) };
  let objects = 0;
  for (const phase of PHASE_ORDER) {
    for await (const page of viewPages(client, rootFolder, phase, settings)) objects += page.length;
  }
  return objects;
}

interface PowerResults {
  latenciesMs: number[];
  /** Per shown change, from the task's answer to the start of the refresh run that took the VM. */
  toRunStartMs: number[];
  /** Per change, from the task's answer to the event catcher receiving vCenter's update (the update event's time). */
  toReceivedMs: number[];
  /** The targeted runs of the changes. */
  runs: ShowingRun[];
  /** Changes whose row did not show them within CHANGE_TIMEOUT_MS. */
  lost: number;
  workerPeakRssBytes: number;
}

/**
 * Runs a fleet server and powers VMs off (and back on) through the SOAP API one change at a time, each from the
 * task's answer to the row showing the new power state (polled every 5 ms).
 */
async function powerChangeLatency(
  cleanups: Cleanups, setup: { dataSource: DataSource; store: ProviderStore; providerId: string; settings: FleetSettings; client: VimClient; changeCount: number },
): Promise<PowerResults> {
  const { dataSource, providerId, client, changeCount } = setup;
  await startFleetServerAtRest(cleanups, setup);

  const vms: { ems_ref: string; power_state: string }[] = await dataSource.query(
    `SELECT ems_ref, power_state FROM infra_vms WHERE provider_id = $1 AND template IS NOT TRUE ORDER BY id LIMIT $2`, [providerId, changeCount]);
  const latenciesMs: number[] = [];
  const answered: { ref: string; atMs: number }[] = [];
  const phaseStartedMs = Date.now();
  let lost = 0;
  for (let change = 0; change < changeCount; change += 1) {
    const vm = vms[change % vms.length];
    const target: ManagedObjectReference = { type: 'VirtualMachine', value: vm.ems_ref };
    const next = vm.power_state === 'poweredOn' ? 'poweredOff' : 'poweredOn';
    await client.connection.invoke(next === 'poweredOn' ? 'PowerOnVM_Task' : 'PowerOffVM_Task', target, {});
    const answeredMs = performance.now();
    answered.push({ ref: vm.ems_ref, atMs: Date.now() });
    const shown = await rowShows(dataSource, providerId, vm.ems_ref, next);
    if (shown) latenciesMs.push(performance.now() - answeredMs);
    else lost += 1;
    vm.power_state = next;
  }
  const workerPeakRssBytes = await refreshWorkerPeakRss(dataSource, providerId);
  await sleep(1_000); // a run's persist time is recorded again just after its commit (see readRuns)
  const runs = (await readRuns(dataSource, providerId, phaseStartedMs)).filter((run) => run.kind === 'targeted');
  const toRunStartMs = answered.flatMap(({ ref, atMs }) => {
    const run = runs.find((each) => each.startedMs >= atMs && each.targets.some((target) => target.collection === 'vms' && target.ref === ref));
    return run === undefined ? [] : [run.startedMs - atMs];
  });
  const updates: { ref: string; received_ms: number }[] = await dataSource.query(
    `SELECT refs->0->>'emsRef' AS ref, (extract(epoch FROM "timestamp") * 1000)::float8 AS received_ms FROM event_streams
      WHERE provider_id = $1 AND event_type = 'vm.updated' AND "timestamp" >= to_timestamp($2::float8 / 1000) ORDER BY "timestamp"`,
    [providerId, phaseStartedMs]);
  const toReceivedMs = answered.flatMap(({ ref, atMs }) => {
    const update = updates.find((each) => each.ref === ref && each.received_ms >= atMs);
    return update === undefined ? [] : [update.received_ms - atMs];
  });
  return { latenciesMs, toRunStartMs, toReceivedMs, runs, lost, workerPeakRssBytes };
}

async function rowShows(dataSource: DataSource, providerId: string, emsRef: string, powerState: string): Promise<boolean> {
  const deadline = performance.now() + CHANGE_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const [row]: { power_state: string }[] = await dataSource.query('SELECT power_state FROM infra_vms WHERE provider_id = $1 AND ems_ref = $2', [providerId, emsRef]);
    if (row?.power_state === powerState) return true;
    await sleep(5);
  }
  return false;
}

function report(r: { first: RefreshRun; noop: RefreshRun; retrieveSeconds: number; copySeconds: number; rows: number; power: PowerResults }): void {
  const { first, noop, power } = r;
  const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
  const figures = {
    rows: r.rows, fullRefreshSeconds: round(endToEnd(first)), baselineRetrieveSeconds: round(r.retrieveSeconds), baselineCopySeconds: round(r.copySeconds),
    refreshVsBaseline: round(endToEnd(first) / (r.retrieveSeconds + r.copySeconds)),
    noopSeconds: round(endToEnd(noop)), noopWrites: noop.writes,
    changes: power.latenciesMs.length + power.lost, lost: power.lost,
    p50Ms: round(percentile(power.latenciesMs, 50)), p99Ms: round(percentile(power.latenciesMs, 99)), maxMs: round(Math.max(0, ...power.latenciesMs)),
    toReceivedP50Ms: round(percentile(power.toReceivedMs, 50)), toReceivedP99Ms: round(percentile(power.toReceivedMs, 99)),
    toRunStartP50Ms: round(percentile(power.toRunStartMs, 50)), targetedRuns: power.runs.length,
    targetedRunCollectP50Ms: percentile(power.runs.map((run) => run.collectMs ?? 0), 50), targetedRunPersistP50Ms: percentile(power.runs.map((run) => run.persistMs ?? 0), 50),
    refreshPeakRssMb: mb(Math.max(first.peakRssBytes, noop.peakRssBytes)), workerPeakRssMb: mb(power.workerPeakRssBytes),
    peakRssMb: mb(Math.max(first.peakRssBytes, noop.peakRssBytes, power.workerPeakRssBytes)),
  };
  const targets = {
    refreshVsBaseline: `<= ${TARGETS.refreshVsBaseline}`, noopWrites: `= ${TARGETS.noopWrites}`, p99Ms: `<= ${TARGETS.p99Ms}`, lost: '= 0', peakRssMb: `<= ${TARGETS.peakRssMb}`,
  };
  const met = figures.refreshVsBaseline <= TARGETS.refreshVsBaseline && figures.noopWrites === TARGETS.noopWrites
    && figures.p99Ms <= TARGETS.p99Ms && figures.lost === 0 && figures.changes > 0 && figures.peakRssMb <= TARGETS.peakRssMb;
  log('');
  log(`full refresh        ${fmt(figures.fullRefreshSeconds)} s for ${figures.rows} rows | baseline ${fmt(figures.baselineRetrieveSeconds + figures.baselineCopySeconds)} s = RetrievePropertiesEx ${fmt(figures.baselineRetrieveSeconds)} s + raw COPY ${fmt(figures.baselineCopySeconds)} s | ratio ${fmt(figures.refreshVsBaseline)} (target <= ${TARGETS.refreshVsBaseline})`);
  log(`no-op re-refresh    ${fmt(figures.noopSeconds)} s with ${figures.noopWrites} row writes (target 0)`);
  log(`power change -> row ${figures.changes} changes: p50 ${fmt(figures.p50Ms)} ms, p99 ${fmt(figures.p99Ms)} ms (target <= ${TARGETS.p99Ms}), max ${fmt(figures.maxMs)} ms; ${figures.lost} not shown within ${CHANGE_TIMEOUT_MS / 1000} s`);
  log(`                    of which to vCenter's update reaching the event catcher: p50 ${fmt(figures.toReceivedP50Ms)} ms, p99 ${fmt(figures.toReceivedP99Ms)} ms`);
  log(`                    to the start of its refresh run: p50 ${fmt(figures.toRunStartP50Ms)} ms; a targeted run (p50, of ${figures.targetedRuns}): collect ${figures.targetedRunCollectP50Ms} ms, persist ${figures.targetedRunPersistP50Ms} ms`);
  log(`peak RSS            fleet refresh ${figures.refreshPeakRssMb} MB, the server's refresh worker ${figures.workerPeakRssMb} MB (target <= ${TARGETS.peakRssMb})`);
  console.log(JSON.stringify({ bench: 'vmware', figures, targets, met }));
}

runBench(main);
