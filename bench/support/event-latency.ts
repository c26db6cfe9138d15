import type { DataSource } from 'typeorm';
import type { CloudEvent } from '../../src/demo-cloud';

/** Events that change nothing in the inventory: they have no latency to measure. */
const NO_CHANGE_TYPES: ReadonlySet<string> = new Set(['vm.alarm']);

/** A refresh run as the latency needs it, times in epoch milliseconds. */
export interface ShowingRun {
  id: string;
  kind: 'full' | 'targeted';
  status: string;
  targets: { collection: string; ref: string }[];
  startedMs: number;
  /** When its rows were visible to readers (see readRuns); null while it has not committed or when it failed. */
  visibleMs: number | null;
  collectMs: number | null;
  persistMs: number | null;
}

/** One change and the run that first showed it; run undefined when none did (a loss). */
export interface ShownChange {
  event: CloudEvent;
  atMs: number;
  run?: ShowingRun;
  latencyMs?: number;
}

/**
 * A provider's refresh runs started at or after `sinceMs`.
 *
 * When a run's rows became visible: a run that saved records `finished_at` with the statement its worker sends once
 * the save's COMMIT has been answered (its `now()`, that statement's start), so it is after the rows became visible,
 * by about a round trip and the rounding to microseconds, never before. (Before that statement, `finished_at` holds
 * the time taken inside the save's transaction, before its commit: should that statement fail, a latency would be
 * understated by the commit. The worker logs such a failure.) Runs that failed never show anything; a run not
 * finished has no visible time.
 */
export async function readRuns(dataSource: DataSource, providerId: string, sinceMs: number): Promise<ShowingRun[]> {
  const rows: {
    id: string; kind: ShowingRun['kind']; status: string; targets: ShowingRun['targets']; started_ms: number; visible_ms: number | null;
    collect_ms: number | null; persist_ms: number | null;
  }[] = await dataSource.query(
    `SELECT id, kind, status, targets, collect_ms, persist_ms,
            (extract(epoch FROM started_at) * 1000)::float8 AS started_ms,
            CASE WHEN finished_at IS NOT NULL AND status IN ('ok', 'partial') THEN (extract(epoch FROM finished_at) * 1000)::float8 END AS visible_ms
       FROM refresh_runs WHERE provider_id = $1 AND started_at >= to_timestamp($2::float8 / 1000) ORDER BY id`,
    [providerId, sinceMs],
  );
  return rows.map((r) => ({
    id: r.id, kind: r.kind, status: r.status, targets: r.targets, startedMs: r.started_ms, visibleMs: r.visible_ms, collectMs: r.collect_ms, persistMs: r.persist_ms,
  }));
}

/**
 * Latency of a change: from the change, as the cloud timed it (`at`, its clock on this machine, in milliseconds), to
 * when the inventory showed it: the commit of the first refresh run that fetched the changed object after the change
 * — a targeted run with the object among its targets, or a full run — and succeeded. Every event is a change of one
 * object (a VM created or deleted with its volumes is one event per object, each with a row to show it), so
 * latencies are per event; alarms change nothing and are left out.
 *
 * "Fetched after the change" is taken as "started at or after `at`": a run records its start and only then connects
 * to the cloud and fetches, several requests later, so a run that started after the change cannot have fetched
 * before it (`at` is truncated to the millisecond; the run's first fetch comes well over a millisecond after its
 * start). A run that started before the change but fetched after it showed the change too; it is not counted, and
 * the next run is, so a latency may be overstated, never understated. Runs of one provider are serialized, so the
 * first to start is also the first to commit; the earliest visible time is taken all the same.
 */
export function showChanges(events: readonly CloudEvent[], runs: readonly ShowingRun[]): ShownChange[] {
  const shown = runs.filter((r) => r.visibleMs !== null).sort((a, b) => a.startedMs - b.startedMs);
  const full = shown.filter((r) => r.kind === 'full');
  const byObject = new Map<string, ShowingRun[]>();
  for (const run of shown) {
    if (run.kind !== 'targeted') continue;
    for (const target of run.targets) {
      const key = objectKey(target.collection, target.ref);
      const list = byObject.get(key);
      if (list) list.push(run);
      else byObject.set(key, [run]);
    }
  }
  return events.filter((e) => !NO_CHANGE_TYPES.has(e.type)).map((event) => {
    const atMs = Date.parse(event.at);
    const candidates = [firstFrom(byObject.get(objectKey(event.resource_type, event.resource_id)) ?? [], atMs), firstFrom(full, atMs)];
    const run = candidates.filter((r): r is ShowingRun => r !== undefined).sort((a, b) => (a.visibleMs as number) - (b.visibleMs as number))[0];
    return run ? { event, atMs, run, latencyMs: (run.visibleMs as number) - atMs } : { event, atMs };
  });
}

/** The first of the runs (sorted by start) that started at or after `atMs`. */
function firstFrom(runs: readonly ShowingRun[], atMs: number): ShowingRun | undefined {
  let low = 0;
  let high = runs.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (runs[middle].startedMs < atMs) low = middle + 1;
    else high = middle;
  }
  return runs[low];
}

/** The cloud's resource types are the inventory's collection names (vms, volumes). */
function objectKey(collection: string, ref: string): string {
  return `${collection}\u0000${ref}`;
}
