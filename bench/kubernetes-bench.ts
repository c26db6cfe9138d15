import 'reflect-metadata';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { DataSource } from 'typeorm';
import { CredentialsCipher } from '../src/crypto/credentials-cipher';
import { createLogger } from '../src/logging/logger';
import { ProviderStore } from '../src/providers/provider-store';
import { PrivateKubeApiserver } from '../test/support/private-kube-apiserver';
import { kubeConfigOf } from '../test/support/test-kube';
import { sleep, until } from '../test/support/wait';
import { startMigratedBenchDatabase } from './support/bench-database';
import { flag, fmt, log, percentile, round, runBench } from './support/bench-output';
import { Cleanups } from './support/cleanups';
import { copyBaseline } from './support/copy-baseline';
import { readRuns, type ShowingRun } from './support/event-latency';
import type { FleetSettings } from './support/fleet-process';
import { endToEnd, fleetRefresh, type RefreshRun } from './support/fleet-refresh';
import { startFleetServerAtRest } from './support/fleet-server-at-rest';
import { fillCluster, listEverything, relabelPod, type BenchPod, type ClusterSize } from './support/kube-cluster';
import { isEmpty } from './support/queue-depth';
import { refreshWorkerPeakRss } from './support/refresh-worker-rss';

/**
 * `npm run bench:kubernetes [-- --pods N] [-- --rate N] [-- --seconds S]`: the kubernetes type against a real
 * kube-apiserver (and etcd) filled with 10,000 pods of 2 containers, 1,000 services, 500 deployments and 50 nodes.
 * 1. A full refresh (a real `fleet refresh` process) against its baseline in the same run: the same paged lists
 *    through @kubernetes/client-node with no database, plus a raw COPY of the rows the refresh stored.
 * 2. A no-op re-refresh, which must write nothing.
 * 3. A real `fleet server` keeping the provider current from its watches while pods change at `rate` per second for
 *    `seconds`: per change, the time from sending it to the commit of the first refresh that fetched the pod after
 *    the server had answered it (so, if anything, overstated), and whether every pod's row shows its last change.
 * 4. The peak RSS of the refresh processes: the `fleet refresh` runs and the server's refresh worker (its VmHWM).
 */
const PAGE_SIZE = 500;
const FILL_CONCURRENCY = 16;
/** Tables of a kubernetes refresh, referenced tables first, as a raw COPY must fill them. */
const KUBE_TABLES = [
  'container_namespaces', 'container_nodes', 'container_persistent_volumes', 'container_persistent_volume_claims', 'container_deployments',
  'container_replica_sets', 'container_pods', 'containers', 'container_pod_volume_claims', 'container_services', 'container_service_pods',
];
const TARGETS = { refreshVsBaseline: 1.5, noopWrites: 0, p50Ms: 150, p99Ms: 1_000, peakRssMb: 256 };

interface Change {
  pod: BenchPod;
  sentMs: number;
  answeredMs: number;
}

async function main(): Promise<void> {
  const size: ClusterSize = {
    namespaces: 10, nodes: 50, deployments: 500, servicesPerDeployment: 2, pods: Number(flag('--pods') ?? 10_000), containersPerPod: 2,
  };
  const rate = Number(flag('--rate') ?? 100);
  const seconds = Number(flag('--seconds') ?? 60);
  const cleanups = new Cleanups();
  try {
    // A /16 service network: the default /24 of the test server has room for 254 services only.
    const apiserver = new PrivateKubeApiserver({ extraArgs: ['--service-cluster-ip-range=10.0.0.0/16'] });
    await apiserver.start();
    cleanups.add(() => apiserver.stop());
    const kubeConfig = kubeConfigOf(new KubeConfig(), apiserver.url, apiserver.caPem, apiserver.adminToken);
    const fillStarted = performance.now();
    const pods = await fillCluster(kubeConfig, size, FILL_CONCURRENCY);
    log(`kube-apiserver filled in ${fmt((performance.now() - fillStarted) / 1000)} s: ${size.pods} pods x ${size.containersPerPod} containers, ${size.deployments * size.servicesPerDeployment} services, ${size.deployments} deployments and replica sets, ${size.nodes} nodes, ${size.namespaces} namespaces`);

    const { url: databaseUrl, dataSource } = await startMigratedBenchDatabase(cleanups, `fleet_bench_kubernetes_${process.pid}`);
    const settings: FleetSettings = {
      databaseUrl, redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
      redisPrefix: `fleet-bench-kubernetes-${process.pid}`, encryptionKey: CredentialsCipher.generateKey(),
    };
    const store = new ProviderStore({ dataSource, cipher: new CredentialsCipher(settings.encryptionKey), logger: createLogger({ level: 'warn' }) });
    const provider = await store.create({
      type: 'kubernetes', name: 'bench-cluster',
      config: { server: apiserver.url, caCertificate: apiserver.caPem, insecureSkipTlsVerify: false, namespaces: [], pageSize: PAGE_SIZE, timeoutSeconds: 60 },
      credentials: { token: apiserver.adminToken },
    });

    const first = await fleetRefresh(provider.id, settings);
    const listStarted = performance.now();
    const listed = await listEverything(kubeConfig, PAGE_SIZE);
    const listSeconds = (performance.now() - listStarted) / 1000;
    const copy = await copyBaseline(dataSource, provider.id, KUBE_TABLES);
    const noop = await fleetRefresh(provider.id, settings);
    log(`full refresh ${fmt(endToEnd(first))} s (${first.writes} rows) | baseline: lists ${fmt(listSeconds)} s (${listed} objects) + raw COPY ${fmt(copy.seconds)} s (${copy.rows} rows)`);
    log(`no-op re-refresh ${fmt(endToEnd(noop))} s, ${noop.writes} writes`);

    const watch = await watchLatency(cleanups, { dataSource, store, providerId: provider.id, settings, kubeConfig, pods, rate, seconds });
    report({ first, noop, listSeconds, copySeconds: copy.seconds, rows: copy.rows, watch });
  } finally {
    await cleanups.run();
  }
}

interface WatchSetup {
  dataSource: DataSource;
  store: ProviderStore;
  providerId: string;
  settings: FleetSettings;
  kubeConfig: KubeConfig;
  pods: BenchPod[];
  rate: number;
  seconds: number;
}

interface WatchResults {
  changes: Change[];
  latenciesMs: number[];
  /** Per change, from sending it to the server's answer. */
  toAnsweredMs: number[];
  /** Per timed change, from sending it to the start of the run that showed it. */
  toRunStartMs: number[];
  /** Per change, from sending it to its event stored (the catcher, the events queue and a handler's transaction start). */
  toEventStoredMs: number[];
  /**
   * Changes no run can be timed for: the run that fetched the pod started before the server had answered the change,
   * so it may have fetched it or not. Whether the row shows it is what `podsBehind` says.
   */
  untimed: number;
  podsBehind: number;
  drained: boolean;
  runs: ShowingRun[];
  workerPeakRssBytes: number;
}

/** Runs a fleet server, changes pods at `rate` per second, and measures how soon the inventory shows each change. */
async function watchLatency(cleanups: Cleanups, setup: WatchSetup): Promise<WatchResults> {
  const { dataSource, store, providerId, settings, kubeConfig, pods, rate, seconds } = setup;
  const depths = await startFleetServerAtRest(cleanups, { dataSource, store, providerId, settings });

  const core = kubeConfig.makeApiClient(CoreV1Api);
  const startedMs = Date.now();
  const changes = await changePods(core, pods, rate, seconds);
  log(`${changes.length} pod changes sent in ${fmt((Date.now() - startedMs) / 1000)} s; waiting for the inventory to show them`);
  const last = new Map(changes.map((change, seq) => [change.pod.uid, String(seq)]));
  let podsBehind = last.size;
  let drained = true;
  try {
    await until(async () => {
      podsBehind = await rowsBehind(dataSource, providerId, last);
      return podsBehind === 0 && isEmpty(await depths.read()) ? true : undefined;
    }, 'every pod row to show its last change', 120_000);
  } catch (error: unknown) {
    if (!(error instanceof Error && error.message.startsWith('timed out'))) throw error;
    drained = false;
  }
  const workerPeakRssBytes = await refreshWorkerPeakRss(dataSource, providerId);
  await sleep(1_000); // a run's persist time is recorded again just after its commit (see readRuns)
  const runs = await readRuns(dataSource, providerId, startedMs);
  const shown = changes.flatMap((change) => {
    const run = firstShowing(change, runs);
    return run === undefined ? [] : [{ latencyMs: (run.visibleMs as number) - change.sentMs, toRunStartMs: run.startedMs - change.sentMs }];
  });
  const toEventStoredMs = await eventStoredLatencies(dataSource, providerId, changes, startedMs);
  return {
    changes, latenciesMs: shown.map((s) => s.latencyMs), toAnsweredMs: changes.map((change) => change.answeredMs - change.sentMs),
    toRunStartMs: shown.map((s) => s.toRunStartMs), toEventStoredMs, untimed: changes.length - shown.length, podsBehind, drained, runs, workerPeakRssBytes,
  };
}

/** Sends `rate` label changes per second to pods taken in turn, on a schedule that does not wait for answers. */
async function changePods(core: CoreV1Api, pods: BenchPod[], rate: number, seconds: number): Promise<Change[]> {
  const total = rate * seconds;
  const changes: Change[] = [];
  const sending: Promise<void>[] = [];
  const startedMs = performance.now();
  for (let seq = 0; seq < total; seq += 1) {
    const dueMs = startedMs + (seq * 1000) / rate;
    const waitMs = dueMs - performance.now();
    if (waitMs > 0) await sleep(waitMs);
    // Spread over the pods so that a pod changes again only after thousands of others.
    const pod = pods[(seq * 7919) % pods.length];
    const sentMs = Date.now();
    sending.push(relabelPod(core, pod, String(seq)).then(() => { changes[seq] = { pod, sentMs, answeredMs: Date.now() }; }));
  }
  await Promise.all(sending);
  return changes;
}

/** Per change, the time from sending it to the start of the transaction that stored the first event of its pod after it. */
async function eventStoredLatencies(dataSource: DataSource, providerId: string, changes: readonly Change[], sinceMs: number): Promise<number[]> {
  const stored: { message: string; stored_ms: number }[] = await dataSource.query(
    `SELECT message, (extract(epoch FROM created_at) * 1000)::float8 AS stored_ms FROM event_streams
      WHERE provider_id = $1 AND event_type = 'pod.modified' AND created_at >= to_timestamp($2::float8 / 1000) ORDER BY created_at`,
    [providerId, sinceMs]);
  const byPod = new Map<string, number[]>();
  for (const event of stored) {
    const pod = event.message.split(' ')[1];
    byPod.set(pod, [...(byPod.get(pod) ?? []), event.stored_ms]);
  }
  return changes.flatMap((change) => {
    const storedMs = byPod.get(`${change.pod.namespace}/${change.pod.name}`)?.find((ms) => ms >= change.sentMs);
    return storedMs === undefined ? [] : [storedMs - change.sentMs];
  });
}

/** How many changed pods' rows do not show their last change yet. */
async function rowsBehind(dataSource: DataSource, providerId: string, last: Map<string, string>): Promise<number> {
  const rows: { ems_ref: string; change: string | null }[] = await dataSource.query(
    `SELECT ems_ref, labels->>'bench-change' AS change FROM container_pods WHERE provider_id = $1 AND archived_at IS NULL AND ems_ref = ANY($2::text[])`,
    [providerId, [...last.keys()]]);
  const shown = new Map(rows.map((row) => [row.ems_ref, row.change]));
  return [...last].filter(([uid, value]) => shown.get(uid) !== value).length;
}

/**
 * The run that showed a change: the first to commit of those that fetched the pod after the server had answered the
 * change (a targeted run naming it, by uid or namespace/name, or a full run). Undefined: no run can be timed for it.
 */
function firstShowing(change: Change, runs: readonly ShowingRun[]): ShowingRun | undefined {
  const { pod } = change;
  const refs = new Set([pod.uid, `${pod.namespace}/${pod.name}`]);
  let first: ShowingRun | undefined;
  for (const run of runs) {
    if (run.visibleMs === null || run.startedMs < change.answeredMs) continue;
    if (run.kind === 'targeted' && !run.targets.some((t) => t.collection === 'pods' && refs.has(t.ref))) continue;
    if (first === undefined || run.visibleMs < (first.visibleMs as number)) first = run;
  }
  return first;
}

function report(r: { first: RefreshRun; noop: RefreshRun; listSeconds: number; copySeconds: number; rows: number; watch: WatchResults }): void {
  const { first, noop, watch } = r;
  const baseline = r.listSeconds + r.copySeconds;
  const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
  const targeted = watch.runs.filter((run) => run.kind === 'targeted' && run.visibleMs !== null);
  const figures = {
    rows: r.rows,
    fullRefreshSeconds: round(endToEnd(first)), baselineListSeconds: round(r.listSeconds), baselineCopySeconds: round(r.copySeconds),
    refreshVsBaseline: round(endToEnd(first) / baseline),
    noopSeconds: round(endToEnd(noop)), noopWrites: noop.writes,
    changes: watch.changes.length, p50Ms: round(percentile(watch.latenciesMs, 50)), p99Ms: round(percentile(watch.latenciesMs, 99)),
    maxMs: round(Math.max(...watch.latenciesMs)),
    toAnsweredP50Ms: round(percentile(watch.toAnsweredMs, 50)), toEventStoredP50Ms: round(percentile(watch.toEventStoredMs, 50)),
    toRunStartP50Ms: round(percentile(watch.toRunStartMs, 50)), toEventStoredP99Ms: round(percentile(watch.toEventStoredMs, 99)), changesUntimed: watch.untimed, podsBehind: watch.podsBehind, drained: watch.drained,
    targetedRuns: targeted.length, fullRuns: watch.runs.filter((run) => run.kind === 'full').length,
    targetedRunTargetsP50: percentile(targeted.map((run) => run.targets.length), 50),
    targetedRunCollectP50Ms: percentile(targeted.map((run) => run.collectMs ?? 0), 50), targetedRunPersistP50Ms: percentile(targeted.map((run) => run.persistMs ?? 0), 50),
    refreshPeakRssMb: mb(Math.max(first.peakRssBytes, noop.peakRssBytes)), workerPeakRssMb: mb(watch.workerPeakRssBytes),
    peakRssMb: mb(Math.max(first.peakRssBytes, noop.peakRssBytes, watch.workerPeakRssBytes)),
  };
  const targets = {
    refreshVsBaseline: `<= ${TARGETS.refreshVsBaseline}`, noopWrites: `= ${TARGETS.noopWrites}`, p50Ms: `<= ${TARGETS.p50Ms}`, p99Ms: `<= ${TARGETS.p99Ms}`,
    podsBehind: '= 0', peakRssMb: `<= ${TARGETS.peakRssMb}`,
  };
  const met = figures.refreshVsBaseline <= TARGETS.refreshVsBaseline && figures.noopWrites === TARGETS.noopWrites
    && figures.p50Ms <= TARGETS.p50Ms && figures.p99Ms <= TARGETS.p99Ms && figures.podsBehind === 0
    && figures.peakRssMb <= TARGETS.peakRssMb;

  log('');
  log(`full refresh        ${fmt(figures.fullRefreshSeconds)} s for ${r.rows} rows | baseline ${fmt(baseline)} s = client-node lists ${fmt(r.listSeconds)} s + raw COPY ${fmt(r.copySeconds)} s | ratio ${figures.refreshVsBaseline} (target <= ${TARGETS.refreshVsBaseline})`);
  log(`no-op re-refresh    ${fmt(figures.noopSeconds)} s with ${figures.noopWrites} row writes (target 0)`);
  log(`watch -> row        ${figures.changes} pod changes: p50 ${fmt(figures.p50Ms)} ms (target <= ${TARGETS.p50Ms}), p99 ${fmt(figures.p99Ms)} ms (target <= ${TARGETS.p99Ms}), max ${fmt(figures.maxMs)} ms; ${figures.changesUntimed} untimed (fetched by a run that started while the change was in flight), ${figures.podsBehind} rows behind their last change; ${figures.targetedRuns} targeted and ${figures.fullRuns} full runs`);
  log(`                    where the time goes (p50 from sending the change): the server's answer ${fmt(figures.toAnsweredP50Ms)} ms, event stored ${fmt(figures.toEventStoredP50Ms)} ms (p99 ${fmt(figures.toEventStoredP99Ms)} ms), start of the run that showed it ${fmt(figures.toRunStartP50Ms)} ms`);
  log(`                    a targeted run (p50): ${figures.targetedRunTargetsP50} targets, collect ${figures.targetedRunCollectP50Ms} ms, persist ${figures.targetedRunPersistP50Ms} ms`);
  log(`peak RSS            fleet refresh ${figures.refreshPeakRssMb} MB, the server's refresh worker ${figures.workerPeakRssMb} MB (target <= ${TARGETS.peakRssMb})`);
  console.log(JSON.stringify({ bench: 'kubernetes', figures, targets, met }));
}

runBench(main);
