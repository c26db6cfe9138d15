import 'reflect-metadata';
import type { Agent } from 'node:http';
import type { DataSource } from 'typeorm';
import { configDefaults } from '../src/config/fleet-config';
import { ApiTokenStore } from '../src/api/api-token-store';
import type { TaskView } from '../src/api/schemas/task-schemas';
import type { CloudEvent } from '../src/demo-cloud';
import { DemoApiClient } from '../src/providers/demo/demo-api-client';
import { RefreshQueue } from '../src/queues/refresh-queue';
import { freePort } from '../test/support/free-port';
import { sleep, until } from '../test/support/wait';
import { DEMO_CREDENTIALS, DEMO_REGION, startBenchFleet } from './support/bench-fleet';
import { flag, fmt, log, percentile, round, runBench } from './support/bench-output';
import { Cleanups } from './support/cleanups';
import { runConcurrently } from './support/concurrently';
import { cpuBetween, cpuByKind } from './support/process-cpu';
import { waitUntilAtRest } from './support/fleet-at-rest';
import { describeServerLatency, serverLatency } from './support/server-latency';
import { QueueDepthProbe } from './support/queue-depth';
import { keepAliveAgent, postJson } from './support/light-http';

/**
 * `npm run bench:operations [-- --operations N] [-- --clients N] [-- --warmup N]`: a real `fleet server` keeps one
 * demo provider of `operations` + `warmup` VMs; after a warm-up round of `warmup` operations (reported, not counted),
 * `clients` clients each ask the API for power operations (stop a running VM, start a stopped one,
 * each VM once) and follow each task until the inventory shows the new state before asking the next. Prints per
 * operation: request -> acknowledged (the 202 with its task) and request -> inventory shows the new state (the task's
 * inventoryShownAt, which the bench reads from the database for all clients at once), beside the baseline of the same power changes sent by as many clients straight to the cloud.
 * Every task must succeed once: the cloud's event log must show each VM changed exactly once.
 */
const TARGET_ACK_P99_MS = 50;
const TARGET_SHOWN_P50_MS = 300;
const TARGET_SHOWN_P99_MS = 2_000;
/**
 * How often the bench reads the tasks its clients wait for: one query for all of them, so that following the tasks
 * costs the fleet next to nothing (20 clients each polling the API would be most of the API's work).
 */
const WATCH_MS = 20;
/** A task not shown in the inventory this long after it was asked counts as lost. */
const LOST_AFTER_MS = 60_000;

interface Operation {
  vmId: string;
  /** The object's row, for the API's path. */
  rowId: string;
  name: 'vm.start' | 'vm.stop';
}

interface Measured {
  ackMs: number;
  /** Request -> the inventory shows the new state; undefined when it never did (lost) or the task failed. */
  shownMs: number | undefined;
  /** The task's state when it was last read. */
  state: string;
}

async function main(): Promise<void> {
  const count = Number(flag('--operations') ?? 1000);
  const clients = Number(flag('--clients') ?? 20);
  const warmupCount = Number(flag('--warmup') ?? 100);
  const cleanups = new Cleanups();
  try {
    const port = await freePort();
    const { dataSource, store, providerId, cloud, redis, settings } = await startBenchFleet(cleanups, {
      name: 'operations', vms: count + warmupCount, serverEnv: { LOG_LEVEL: flag('--fleet-log-level') ?? 'error', FLEET_API_PORT: String(port), FLEET_API_HOST: '127.0.0.1' },
    });
    const { token } = await new ApiTokenStore(dataSource).create('bench-operations');
    const api = `http://127.0.0.1:${port}/api/v1`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const refreshQueue = new RefreshQueue({ redis, connection: redis, prefix: settings.redisPrefix, store, fullThreshold: configDefaults.refreshFullThreshold as number });
    cleanups.add(() => refreshQueue.close());
    const depths = new QueueDepthProbe({ redis, prefix: settings.redisPrefix, providerId, refreshQueue });
    cleanups.add(() => depths.close());
    const client = new DemoApiClient({ endpoint: cloud.url, region: DEMO_REGION, ...DEMO_CREDENTIALS, fetch, pageSize: 1000, timeoutMs: 30_000 });
    await waitUntilAtRest(dataSource, providerId, depths);
    await until(() => fetch(`${api}/tasks?limit=1`, { headers }).then((answer) => (answer.ok ? true : undefined), () => undefined), 'the API to answer');
    log(`fleet server running with ${count} VMs: startup refreshes done, event catcher streaming, API on port ${port}`);

    // Baseline: the same kind of power changes, straight to the cloud, from as many clients (each VM once).
    const vms: { id: string; power_state: string }[] = await dataSource.query(
      `SELECT ems_ref AS id, power_state FROM cloud_vms WHERE provider_id = $1 AND archived_at IS NULL ORDER BY id`, [providerId]);
    const baselineMs: number[] = [];
    const baselineSeconds = await runConcurrently(vms.length, clients, async (i) => {
      const started = performance.now();
      await client.vmAction(vms[i].id, { action: vms[i].power_state === 'running' ? 'stop' : 'start' });
      baselineMs.push(performance.now() - started);
    });
    log(`baseline: ${vms.length} power changes sent straight to the cloud by ${clients} clients in ${fmt(baselineSeconds)} s`);
    await waitUntilAtRest(dataSource, providerId, depths);
    await until(async () => {
      const [{ differing }] = await dataSource.query(
        `SELECT count(*)::int AS differing FROM cloud_vms WHERE provider_id = $1 AND archived_at IS NULL AND power_state = ANY($2::text[]) AND ems_ref = ANY($3::text[])`,
        [providerId, ['running', 'paused'], vms.filter((vm) => vm.power_state === 'running').map((vm) => vm.id)]);
      return differing === 0 ? true : undefined;
    }, 'the inventory to show the baseline\'s changes', 120_000);

    // The fleet: each VM once, through the API, by `clients` clients each following its task to the inventory.
    const rows: { rowId: string; vmId: string; power_state: string }[] = await dataSource.query(
      `SELECT id::text AS "rowId", ems_ref AS "vmId", power_state FROM cloud_vms WHERE provider_id = $1 AND archived_at IS NULL ORDER BY id LIMIT $2`, [providerId, count + warmupCount]);
    const all: Operation[] = rows.map((row) => ({ rowId: row.rowId, vmId: row.vmId, name: row.power_state === 'running' ? 'vm.stop' : 'vm.start' }));
    const [warmup, operations] = [all.slice(0, warmupCount), all.slice(warmupCount)];
    const operationsApi: Api = { url: api, headers, agent: keepAliveAgent(clients) };
    cleanups.add(() => operationsApi.agent.destroy());
    const watcher = new TaskWatcher(dataSource);
    watcher.start();
    cleanups.add(() => watcher.stop());
    // A warm-up round, reported and not counted: a server's first requests run its code cold (V8 compiles what
    // runs often only once it has run), and each client's first request opens its connection.
    const warm: Measured[] = [];
    await runConcurrently(warmup.length, clients, async (i) => {
      warm.push(await operate(operationsApi, watcher, warmup[i]));
    });
    const warmAcks = warm.map((m) => m.ackMs);
    log(`warm-up (not counted): ${warm.length} operations, request -> acknowledged p50 ${fmt(round(percentile(warmAcks, 50)))} ms, p99 ${fmt(round(percentile(warmAcks, 99)))} ms, max ${fmt(round(Math.max(0, ...warmAcks)))} ms; ${warm.filter((m) => m.shownMs !== undefined).length} shown`);
    const firstEvent = (await client.events('now', 0)).lastId;
    const database = new URL(settings.databaseUrl).pathname.slice(1);
    const cpuBefore = cpuByKind(database);
    const phaseStartedAt = Date.now();
    const measured: Measured[] = [];
    const fleetSeconds = await runConcurrently(operations.length, clients, async (i) => {
      measured.push(await operate(operationsApi, watcher, operations[i]));
    });
    const cpu = cpuBetween(cpuBefore, cpuByKind(database));
    const handled = await serverLatency(`http://127.0.0.1:${port}`, token, 'POST', '/api/v1/inventory/:collection/:id/operations/:name');
    const [runs]: { runs: number; targets: number; sources: string }[] = await dataSource.query(
      `SELECT count(*)::int AS runs, coalesce(sum(jsonb_array_length(targets)), 0)::int AS targets, string_agg(DISTINCT source, ',') AS sources
         FROM refresh_runs WHERE provider_id = $1 AND started_at >= $2`, [providerId, new Date(phaseStartedAt)]);
    log(`refresh runs during the operations: ${runs.runs} (${fmt(runs.targets / Math.max(1, runs.runs))} targets each, asked by ${runs.sources})`);
    await sleep(1_000);
    const lastEvent = (await client.events('now', 0)).lastId;
    const changed = countByVm(await cloudEvents(client, firstEvent, lastEvent));
    log(`fleet: ${operations.length} operations by ${clients} clients in ${fmt(fleetSeconds)} s`);
    const cpuPerOperation = cpu.map(([kind, seconds]) => `${kind} ${fmt((seconds * 1000) / operations.length)}`).join(', ');
    log(`CPU per operation (ms): ${cpuPerOperation}; Redis and the rest of PostgreSQL apart`);
    log(`the server's own time for the requests (its histogram): ${describeServerLatency(handled, [25, 50, 100, 250])}`);
    report({ operations, measured, changed, baselineMs, clients });
  } finally {
    await cleanups.run();
  }
}

/** Where the clients ask, and how. */
interface Api {
  url: string;
  headers: Record<string, string>;
  agent: Agent;
}

/** Asks for one operation through the API and waits until the inventory shows its outcome, it failed, or it counts as lost. */
async function operate(api: Api, watcher: TaskWatcher, operation: Operation): Promise<Measured> {
  const askedAt = Date.now();
  const asked = performance.now();
  const answer = await postJson(api.agent, `${api.url}/inventory/cloud_vms/${operation.rowId}/operations/${operation.name}`, api.headers, '{}');
  const ackMs = performance.now() - asked;
  if (answer.status !== 202) throw new Error(`${operation.name} of ${operation.vmId}: ${answer.status} ${answer.text}`);
  const task = JSON.parse(answer.text) as TaskView;
  const end = await watcher.ended(task.id, LOST_AFTER_MS);
  return { ackMs, shownMs: end?.shownAt === undefined || end.shownAt === null ? undefined : end.shownAt.getTime() - askedAt, state: end?.state ?? task.state };
}

/** The end of a task as the watcher read it: its state, and when the inventory showed its outcome. */
interface TaskEnd {
  state: string;
  shownAt: Date | null;
}

/** Reads, every WATCH_MS, the tasks clients wait for, in one query, and tells each client when its task has ended. */
class TaskWatcher {
  private readonly waiting = new Map<string, (end: TaskEnd) => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dataSource: DataSource) {}

  start(): void {
    const look = async (): Promise<void> => {
      if (this.waiting.size > 0) {
        const rows: { id: string; state: string; shown_at: Date | null }[] = await this.dataSource.query(
          `SELECT id::text, state, inventory_shown_at AS shown_at FROM tasks WHERE id = ANY($1::bigint[])
             AND (inventory_shown_at IS NOT NULL OR state IN ('failed', 'timed_out', 'cancelled'))`, [[...this.waiting.keys()]]);
        for (const row of rows) {
          this.waiting.get(row.id)?.({ state: row.state, shownAt: row.shown_at });
          this.waiting.delete(row.id);
        }
      }
      this.timer = setTimeout(() => void look(), WATCH_MS);
    };
    void look();
  }

  /** The task's end; undefined when it has not ended within `timeoutMs`. */
  ended(taskId: string, timeoutMs: number): Promise<TaskEnd | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(taskId);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(taskId, (end) => {
        clearTimeout(timer);
        resolve(end);
      });
    });
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/** The cloud's events with ids in (firstId, lastId]. */
async function cloudEvents(client: DemoApiClient, firstId: number, lastId: number): Promise<CloudEvent[]> {
  const events: CloudEvent[] = [];
  for (let after = firstId; after < lastId;) {
    const { items, lastId: next } = await client.events(after, 0);
    if (items.length === 0) break;
    events.push(...(items as CloudEvent[]).filter((event) => event.id <= lastId));
    after = next;
  }
  return events;
}

function countByVm(events: readonly CloudEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const event of events) if (event.resource_type === 'vms') counts.set(event.resource_id, (counts.get(event.resource_id) ?? 0) + 1);
  return counts;
}

function report(r: { operations: Operation[]; measured: Measured[]; changed: Map<string, number>; baselineMs: number[]; clients: number }): void {
  const acks = r.measured.map((m) => m.ackMs);
  const shown = r.measured.flatMap((m) => (m.shownMs === undefined ? [] : [m.shownMs]));
  const failed = r.measured.filter((m) => ['failed', 'timed_out', 'cancelled'].includes(m.state));
  const lost = r.measured.length - shown.length - failed.length;
  // Each VM was operated on once: a VM the cloud changed more than once ran twice, one it never changed was lost.
  const duplicated = r.operations.filter((operation) => (r.changed.get(operation.vmId) ?? 0) > 1).length;
  const neverRun = r.operations.filter((operation) => !r.changed.has(operation.vmId)).length;
  const ms = (values: number[], p: number): number => round(percentile(values, p));
  const figures = {
    operations: r.operations.length, clients: r.clients,
    ackP50Ms: ms(acks, 50), ackP99Ms: ms(acks, 99),
    shownP50Ms: ms(shown, 50), shownP99Ms: ms(shown, 99), shownMaxMs: round(Math.max(...shown)),
    baselineCloudP50Ms: ms(r.baselineMs, 50), baselineCloudP99Ms: ms(r.baselineMs, 99),
    succeeded: shown.length, failed: failed.length, lost, duplicated, neverRun,
  };
  const targets = {
    ackP99Ms: `<= ${TARGET_ACK_P99_MS}`, shownP50Ms: `<= ${TARGET_SHOWN_P50_MS}`, shownP99Ms: `<= ${TARGET_SHOWN_P99_MS}`,
    failed: '= 0', lost: '= 0', duplicated: '= 0', neverRun: '= 0',
  };
  const met = figures.ackP99Ms <= TARGET_ACK_P99_MS && figures.shownP50Ms <= TARGET_SHOWN_P50_MS && figures.shownP99Ms <= TARGET_SHOWN_P99_MS
    && failed.length === 0 && lost === 0 && duplicated === 0 && neverRun === 0;
  log('');
  log(`request -> acknowledged     p50 ${fmt(figures.ackP50Ms)} ms, p99 ${fmt(figures.ackP99Ms)} ms (target p99 <= ${TARGET_ACK_P99_MS})`);
  log(`request -> inventory shows  p50 ${fmt(figures.shownP50Ms)} ms (target <= ${TARGET_SHOWN_P50_MS}), p99 ${fmt(figures.shownP99Ms)} ms (target <= ${TARGET_SHOWN_P99_MS}), max ${fmt(figures.shownMaxMs)} ms`);
  log(`baseline: cloud alone       p50 ${fmt(figures.baselineCloudP50Ms)} ms, p99 ${fmt(figures.baselineCloudP99Ms)} ms per power change, ${r.clients} clients straight to the cloud`);
  log(`tasks                       ${figures.succeeded} succeeded and shown, ${figures.failed} failed, ${lost} lost; at the cloud ${duplicated} VMs changed twice, ${neverRun} never`);
  console.log(JSON.stringify({ bench: 'operations', figures, targets, met }));
}

runBench(main);
