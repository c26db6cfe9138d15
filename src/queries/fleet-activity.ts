import type { DataSource } from 'typeorm';

/** One inventory table's objects of one provider, as last counted (see InventoryCount). */
export interface TableCount {
  /** Objects at the provider (not archived). */
  count: number;
  /** Objects gone from the provider, kept for their history. */
  archived: number;
  /** Objects at the provider per state ('' for those without one); empty for a table without states. */
  states: Record<string, number>;
  countedAt: Date | null;
}

/** A provider's (or the fleet's shared) worker processes, by where they are in their life. */
export interface WorkerHealth {
  running: number;
  starting: number;
  stopping: number;
  /** Stopped in the last hour: replaced after a crash, a missed heartbeat or their memory threshold, or stopped on purpose. */
  stoppedLastHour: number;
  /** The oldest heartbeat among the running ones: late when it is older than the heartbeat timeout. */
  oldestHeartbeatAt: Date | null;
}

/** What the fleet's providers hold and do, by provider id ('' for the workers of no provider). */
export interface FleetActivity {
  counts: Map<string, Map<string, TableCount>>;
  eventsLastHour: Map<string, number>;
  workers: Map<string, WorkerHealth>;
}

/**
 * The counts, events and workers of every provider, or of one: three small reads, none of them proportional to the
 * inventory (the counts are kept by the refresh workers, events are found by time through their index).
 */
export async function readFleetActivity(dataSource: DataSource, providerId?: string): Promise<FleetActivity> {
  const only = providerId === undefined ? '' : 'AND provider_id = $1';
  const values = providerId === undefined ? [] : [providerId];
  const [counts, events, workers] = await Promise.all([
    dataSource.query(`SELECT provider_id::text AS "providerId", inventory, state, archived, count::float8 AS count, counted_at AS "countedAt"
                        FROM inventory_counts WHERE true ${only}`, values) as Promise<CountRow[]>,
    dataSource.query(`SELECT provider_id::text AS "providerId", count(*)::int AS count FROM event_streams
                       WHERE "timestamp" >= now() - interval '1 hour' ${only} GROUP BY provider_id`, values) as Promise<{ providerId: string; count: number }[]>,
    dataSource.query(`SELECT coalesce(provider_id::text, '') AS "providerId", status, count(*)::int AS count, min(last_heartbeat_at) AS "oldestHeartbeatAt"
                        FROM workers WHERE (status IN ('requested', 'running', 'stopping') OR (status = 'stopped' AND stopped_at >= now() - interval '1 hour')) ${only}
                       GROUP BY 1, 2`, values) as Promise<WorkerRow[]>,
  ]);
  return { counts: tableCounts(counts), eventsLastHour: new Map(events.map((row) => [row.providerId, row.count])), workers: workerHealth(workers) };
}

interface CountRow { providerId: string; inventory: string; state: string; archived: boolean; count: number; countedAt: Date }
interface WorkerRow { providerId: string; status: string; count: number; oldestHeartbeatAt: Date | null }

export function emptyTableCount(): TableCount {
  return { count: 0, archived: 0, states: {}, countedAt: null };
}

export function emptyWorkerHealth(): WorkerHealth {
  return { running: 0, starting: 0, stopping: 0, stoppedLastHour: 0, oldestHeartbeatAt: null };
}

function tableCounts(rows: readonly CountRow[]): Map<string, Map<string, TableCount>> {
  const byProvider = new Map<string, Map<string, TableCount>>();
  for (const row of rows) {
    const tables = byProvider.get(row.providerId) ?? new Map<string, TableCount>();
    byProvider.set(row.providerId, tables);
    const table = tables.get(row.inventory) ?? emptyTableCount();
    tables.set(row.inventory, table);
    if (row.archived) {
      table.archived += row.count;
    } else {
      table.count += row.count;
      if (row.state !== '') table.states[row.state] = row.count;
    }
    if (table.countedAt === null || row.countedAt < table.countedAt) table.countedAt = row.countedAt;
  }
  return byProvider;
}

function workerHealth(rows: readonly WorkerRow[]): Map<string, WorkerHealth> {
  const byProvider = new Map<string, WorkerHealth>();
  const field = { running: 'running', requested: 'starting', stopping: 'stopping', stopped: 'stoppedLastHour' } as const;
  for (const row of rows) {
    const health = byProvider.get(row.providerId) ?? emptyWorkerHealth();
    byProvider.set(row.providerId, health);
    health[field[row.status as keyof typeof field]] += row.count;
    if (row.status === 'running') health.oldestHeartbeatAt = row.oldestHeartbeatAt;
  }
  return byProvider;
}
