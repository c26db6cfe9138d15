import { isPerProvider, isShared, WORKER_ROLE_NAMES, type WorkerAssignment, type WorkerRoleName } from '../core/workers/worker-role-facts';
import type { Logger } from '../logging/logger';
import { eventCatcherRole } from './event-catcher/event-catcher-role';
import { eventHandlerRole } from './event-handler/event-handler-role';
import { metricsCollectorRole } from './metrics/metrics-collector-role';
import { metricsProcessorRole } from './metrics/metrics-processor-role';
import { refreshRole } from './refresh/refresh-role';
import type { WorkerContext } from './worker-context';
import type { WorkerHandle, WorkerRole } from './worker-role';

/**
 * Every kind of worker process, by the name the supervisor starts it with: whether it is per provider, its queue,
 * how it starts, and when the supervisor wants one. Keyed by the role names of WORKER_ROLE_FACTS, so a role missing
 * here, one too many, or one per provider here but shared there does not compile.
 */
export const WORKER_ROLES: { readonly [R in WorkerRoleName]: WorkerRole<R> } = {
  refresh: refreshRole,
  'event-catcher': eventCatcherRole,
  'event-handler': eventHandlerRole,
  'metrics-collector': metricsCollectorRole,
  'metrics-processor': metricsProcessorRole,
};

/** The per-provider roles, in the table's order. */
export const PER_PROVIDER_ROLES = WORKER_ROLE_NAMES.filter(isPerProvider);

/** The shared roles, in the table's order. */
export const SHARED_ROLES = WORKER_ROLE_NAMES.filter(isShared);

/** The queue a worker consumes, recorded on its row; null when it consumes none. */
export function workerQueueName(worker: WorkerAssignment): string | null {
  return worker.providerId === null ? WORKER_ROLES[worker.role].queueName() : WORKER_ROLES[worker.role].queueName(worker.providerId);
}

/** Starts the work of a registered worker process. */
export function startWorker(context: WorkerContext, worker: WorkerAssignment, logger: Logger): Promise<WorkerHandle> {
  return worker.providerId === null
    ? WORKER_ROLES[worker.role].start(context, { logger })
    : WORKER_ROLES[worker.role].start(context, { providerId: worker.providerId, logger });
}
