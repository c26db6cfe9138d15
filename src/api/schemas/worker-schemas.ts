import { Type, type Static } from '@sinclair/typebox';
import { WORKER_ROLE_NAMES } from '../../core/workers/worker-role-facts';
import { WORKER_STATUSES } from '../../models/worker-status';
import { Id, Nullable, NullableTimestamp, StringEnum } from './common-schemas';

export const WorkerListQuery = Type.Object({
  status: Type.Optional(StringEnum(WORKER_STATUSES, { description: 'only workers in this state' })),
  role: Type.Optional(Type.String({ pattern: '^[a-z][a-z-]{0,63}$', description: `only workers of this role: ${WORKER_ROLE_NAMES.join(', ')}` })),
  providerId: Type.Optional(Id),
  all: Type.Boolean({ default: false, description: 'without status: every stopped worker too, not only those stopped in the last hour' }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200, description: 'at most this many, the newest' }),
}, { additionalProperties: false });
export type WorkerListQuery = Static<typeof WorkerListQuery>;

export const WorkerView = Type.Object({
  id: Id,
  role: StringEnum(WORKER_ROLE_NAMES),
  /** The provider a per-provider worker serves; null for a shared one (or when its provider was deleted). */
  providerId: Nullable(Id),
  status: StringEnum(WORKER_STATUSES),
  /** Why it stopped (or is stopping): a signal, an exit, a missed heartbeat, the memory threshold ... */
  stopReason: Nullable(Type.String()),
  pid: Nullable(Type.Integer()),
  /** The host its process runs on (local orchestrator), or its pod (kubernetes orchestrator, once it registered). */
  host: Nullable(Type.String()),
  podName: Nullable(Type.String()),
  /** The queue it consumes, if any. */
  queue: Nullable(Type.String()),
  startedAt: NullableTimestamp,
  stoppedAt: NullableTimestamp,
  lastHeartbeatAt: NullableTimestamp,
  rssBytes: Nullable(Type.Integer()),
  cpuTimeMs: Nullable(Type.Integer()),
}, { $id: 'Worker', additionalProperties: false });
export type WorkerView = Static<typeof WorkerView>;
