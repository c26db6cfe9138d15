import { eventCatcherRole } from './event-catcher-role';
import { eventHandlerRole } from './event-handler-role';
import { metricsCollectorRole } from './metrics-collector-role';
import { metricsProcessorRole } from './metrics-processor-role';
import { refreshRole } from './refresh-role';
import type { WorkerRole } from './worker-role';

/** Every kind of worker process, by the name the supervisor starts it with. */
export const workerRoles: Readonly<Record<string, WorkerRole>> = {
  refresh: refreshRole,
  'event-catcher': eventCatcherRole,
  'event-handler': eventHandlerRole,
  'metrics-collector': metricsCollectorRole,
  'metrics-processor': metricsProcessorRole,
};
