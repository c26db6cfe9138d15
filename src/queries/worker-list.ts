import { Brackets, type DataSource } from 'typeorm';
import { Worker, type WorkerStatus } from '../models';

export interface WorkerQuery {
  /** Only workers in one of these states. Without it: the live ones, and stopped ones as `stopped` says. */
  statuses?: readonly WorkerStatus[];
  /** Without `statuses`, which stopped workers come too: all, or those stopped since a time; none when absent. */
  stopped?: 'all' | { since: Date };
  role?: string;
  providerId?: string;
  /** Only these workers. */
  ids?: readonly string[];
  limit: number;
}

const LIVE_STATUSES: readonly WorkerStatus[] = ['requested', 'running', 'stopping'];

/** Workers matching a query, newest first. */
export async function findWorkers(dataSource: DataSource, query: WorkerQuery): Promise<Worker[]> {
  const select = dataSource.getRepository(Worker).createQueryBuilder('w').orderBy('w.id', 'DESC').limit(query.limit);
  if (query.statuses !== undefined) {
    select.andWhere('w.status IN (:...statuses)', { statuses: query.statuses });
  } else if (query.stopped !== 'all') {
    const stoppedSince = query.stopped?.since;
    // IN (not <> 'stopped'), so the status index finds the few live workers among the many stopped ones.
    select.andWhere(new Brackets((either) => {
      either.where('w.status IN (:...live)', { live: LIVE_STATUSES });
      if (stoppedSince !== undefined) either.orWhere(`(w.status = 'stopped' AND w.stoppedAt >= :stoppedSince)`, { stoppedSince });
    }));
  }
  if (query.role !== undefined) select.andWhere('w.role = :role', { role: query.role });
  if (query.ids !== undefined) select.andWhere('w.id IN (:...ids)', { ids: query.ids });
  if (query.providerId !== undefined) select.andWhere('w.providerId = :providerId', { providerId: query.providerId });
  return select.getMany();
}
