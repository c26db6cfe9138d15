import { Histogram, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { INTERRUPTED_RUN_ERROR } from '../../core/refresh/refresh-outcome';
import type { FleetCollector, FleetScrape } from './fleet-collector';
import { ProviderLabelSets } from './provider-label-sets';
import { readFollowedRows, RowFollower } from './row-follower';

interface RunRow {
  id: string;
  provider_id: string;
  kind: string;
  status: string;
  error: string | null;
  seconds: number | null;
}

type RunLabels = { provider: string; kind: string; status: string };

/**
 * From a targeted refresh of a few milliseconds (most take 5 to 50 ms) to a full refresh of a large provider
 * taking most of an hour, so that quantiles of either kind fall between bounds rather than in the first bucket.
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/**
 * fleet_refresh_duration_seconds: how long the refresh runs that finished since the server started took, by
 * provider, kind (full, targeted) and status (ok, partial, failed, and interrupted: a run its process or database
 * connection left behind, closed by the provider's next run, whose time says nothing of the refresh).
 */
export class RefreshDurationCollector implements FleetCollector {
  readonly name = 'refresh_runs';
  private readonly histogram: Histogram<keyof RunLabels>;
  private readonly labelSets = new ProviderLabelSets<RunLabels>();
  private readonly runs: RowFollower<RunRow>;

  constructor(options: { registry: Registry; dataSource: DataSource }) {
    const { dataSource } = options;
    this.histogram = new Histogram({
      name: 'fleet_refresh_duration_seconds', help: 'Duration of finished refresh runs, by provider id, kind and status',
      labelNames: ['provider', 'kind', 'status'], buckets: BUCKETS, registers: [options.registry],
    });
    this.runs = new RowFollower<RunRow>({
      table: {
        start: async () => {
          const [row]: { max_id: string | null; running: string[] }[] = await dataSource.query(
            // A provider's running run is its newest (starting a run closes those left running), found by the
            // (provider_id, started_at) index: no scan of the history for the few runs in progress.
            `SELECT (SELECT max(id) FROM refresh_runs)::text AS max_id,
                    ARRAY(SELECT newest.id::text FROM providers p
                            CROSS JOIN LATERAL (SELECT id, status FROM refresh_runs r WHERE r.provider_id = p.id ORDER BY started_at DESC LIMIT 1) newest
                           WHERE newest.status = 'running') AS running`,
          );
          return { maxId: row.max_id, unfinishedIds: row.running };
        },
        read: (afterId, ids, limit) => readFollowedRows<RunRow>(
          dataSource, 'refresh_runs',
          `provider_id::text AS provider_id, kind, status, error, extract(epoch FROM finished_at - started_at)::float8 AS seconds`,
          afterId, ids, limit,
        ),
        finished: (run) => run.status !== 'running',
      },
    });
  }

  async collect(scrape: FleetScrape): Promise<void> {
    for (const run of await this.runs.take()) {
      if (run.seconds === null) continue;
      const labels: RunLabels = { provider: run.provider_id, kind: run.kind, status: run.error === INTERRUPTED_RUN_ERROR ? 'interrupted' : run.status };
      this.histogram.observe(labels, Math.max(0, run.seconds));
      this.labelSets.note(labels);
    }
    for (const labels of this.labelSets.prune(new Set(scrape.providers.map((p) => p.id)))) this.histogram.remove(labels);
  }
}
