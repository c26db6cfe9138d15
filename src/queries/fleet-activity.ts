import type { DataSource } from 'typeorm';

/** One inventory table's objects of one provider, as last counted (see InventoryCount). */
export interface TableCount {
  /** Objects at the provider (not archived). */
  count: number;
  /** Objects gone from the provider, kept for their history. */
  archived: number;
  /** Objects at the provider per state (those without a state left out); empty for a table without states. */
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

/** A provider as the overview shows it: what says how it is doing. */
export interface ProviderSummary {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  lastRefreshAt: Date | null;
  lastRefreshSuccessAt: Date | null;
  lastRefreshError: string | null;
}

/** The fleet's providers and what they hold and do, by provider id ('' for the workers of no provider). */
export interface FleetActivity {
  providers: ProviderSummary[];
  counts: Map<string, Map<string, TableCount>>;
  eventsLastHour: Map<string, number>;
  workers: Map<string, WorkerHealth>;
}

/**
 * The providers (by name) with their counts, events and workers, of the whole fleet or of one provider: one
 * statement of four small reads, none of them proportional to the inventory or to the events (counts are kept:
 * objects' by the refresh workers, events' by a trigger per minute), so a busy home page costs one round trip.
 */
export async function readFleetActivity(dataSource: DataSource, providerId?: string): Promise<FleetActivity> {
  const values = providerId === undefined ? [] : [providerId];
  const [row]: [{ providers: ProviderRow[]; counts: CountRow[]; events: { providerId: string; count: number }[]; workers: WorkerRow[] }] = await dataSource.query(
    fleetActivitySql(providerId === undefined ? '' : 'AND provider_id = $1', providerId === undefined ? '' : 'AND id = $1'), values,
  );
  return {
    providers: row.providers.map((provider) => ({
      ...provider, lastRefreshAt: dateOf(provider.lastRefreshAt), lastRefreshSuccessAt: dateOf(provider.lastRefreshSuccessAt),
    })),
    counts: tableCounts(row.counts),
    eventsLastHour: new Map(row.events.map((event) => [event.providerId, event.count])),
    workers: workerHealth(row.workers),
  };
}

/** The statement readFleetActivity runs: its four reads as JSON arrays, with `ofProvider` (and `provider`) limiting them. */
export function fleetActivitySql(ofProvider = '', provider = ''): string {
  const list = (select: string): string => `(SELECT coalesce(json_agg(r), '[]') FROM (${select}) AS r)`;
  return `SELECT
    ${list(`SELECT id::text AS "id", name, type, enabled, last_refresh_at AS "lastRefreshAt", last_refresh_success_at AS "lastRefreshSuccessAt",
                   last_refresh_error AS "lastRefreshError" FROM providers WHERE true ${provider} ORDER BY name`)} AS providers,
    ${list(`SELECT provider_id::text AS "providerId", inventory, state, archived, count::float8 AS count, counted_at AS "countedAt"
              FROM inventory_counts WHERE true ${ofProvider}`)} AS counts,
    ${list(`SELECT provider_id::text AS "providerId", sum(count)::int AS count FROM event_counts
             WHERE minute > now() - interval '1 hour' ${ofProvider} GROUP BY provider_id`)} AS events,
    ${list(`SELECT coalesce(provider_id::text, '') AS "providerId", status, count(*)::int AS count, min(last_heartbeat_at) AS "oldestHeartbeatAt"
              FROM workers WHERE (status IN ('requested', 'running', 'stopping') OR (status = 'stopped' AND stopped_at >= now() - interval '1 hour')) ${ofProvider}
             GROUP BY 1, 2`)} AS workers`;
}

/** Timestamps come as text inside JSON. */
function dateOf(text: string | null): Date | null {
  return text === null ? null : new Date(text);
}

type ProviderRow = Omit<ProviderSummary, 'lastRefreshAt' | 'lastRefreshSuccessAt'> & { lastRefreshAt: string | null; lastRefreshSuccessAt: string | null };

interface CountRow { providerId: string; inventory: string; state: string; archived: boolean; count: number; countedAt: string }
interface WorkerRow { providerId: string; status: string; count: number; oldestHeartbeatAt: string | null }

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
    const countedAt = new Date(row.countedAt);
    if (table.countedAt === null || countedAt < table.countedAt) table.countedAt = countedAt;
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
    if (row.status === 'running') health.oldestHeartbeatAt = dateOf(row.oldestHeartbeatAt);
  }
  return byProvider;
}
