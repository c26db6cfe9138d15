import { Counter, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { WORKER_ROLE_NAMES } from '../../core/workers/worker-role-facts';
import { RESTART_CAUSES, restartCause } from '../../server/worker-stop-reasons';
import type { FleetCollector } from './fleet-collector';
import { highestId, readFollowedRows, RowFollower } from './row-follower';

interface WorkerRow {
  id: string;
  role: string;
  status: string;
  stop_reason: string | null;
}

/**
 * fleet_worker_restarts_total: workers that stopped since the server started and had to be replaced (they exited,
 * stopped heartbeating, passed their memory threshold, failed ...), by role and cause; orderly stops (a signal, a
 * worker no longer wanted) are not restarts. A worker is followed from its row's creation until it has stopped.
 */
export class WorkerRestartCollector implements FleetCollector {
  readonly name = 'workers';
  private readonly counter: Counter<'role' | 'reason'>;
  private readonly workers: RowFollower<WorkerRow>;

  constructor(options: { registry: Registry; dataSource: DataSource }) {
    const { dataSource } = options;
    this.counter = new Counter({
      name: 'fleet_worker_restarts_total', help: 'Workers replaced since the server started (stopped other than in order), by role and reason',
      labelNames: ['role', 'reason'], registers: [options.registry],
    });
    // Every series exists from the first scrape, at 0: an alert on its increase then sees the first restart too.
    for (const role of WORKER_ROLE_NAMES) for (const reason of RESTART_CAUSES) this.counter.inc({ role, reason }, 0);
    this.workers = new RowFollower<WorkerRow>({
      table: {
        start: async () => {
          // The live workers are few and found by the status index.
          const live: { id: string }[] = await dataSource.query(`SELECT id::text AS id FROM workers WHERE status IN ('requested', 'running', 'stopping')`);
          return { maxId: await highestId(dataSource, 'workers'), unfinishedIds: live.map((worker) => worker.id) };
        },
        read: (afterId, ids, limit) => readFollowedRows<WorkerRow>(dataSource, 'workers', 'role, status, stop_reason', afterId, ids, limit),
        finished: (worker) => worker.status === 'stopped',
      },
    });
  }

  async collect(): Promise<void> {
    for (const worker of await this.workers.take()) {
      const reason = restartCause(worker.stop_reason);
      if (reason !== null) this.counter.inc({ role: worker.role, reason });
    }
  }
}
