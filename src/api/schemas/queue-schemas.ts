import { Type, type Static } from '@sinclair/typebox';
import { Id } from './common-schemas';

export const QueueQuery = Type.Object({
  providerId: Type.Optional(Id),
}, { additionalProperties: false });
export type QueueQuery = Static<typeof QueueQuery>;

const Count = Type.Integer({ minimum: 0 });

export const QueuesView = Type.Object({
  /** Each provider's refresh queue: jobs waiting (at most one) and running, and the request merged for the next. */
  refresh: Type.Array(Type.Object({
    providerId: Id,
    providerName: Type.String(),
    waiting: Count,
    active: Count,
    pendingFull: Type.Boolean(),
    pendingTargets: Count,
  }, { additionalProperties: false })),
  /** The events queue's jobs, and the event batches waiting to be stored behind them. */
  events: Type.Object({ waiting: Count, active: Count, batches: Count }, { additionalProperties: false }),
  /** Messages of samples waiting for and being processed by the metrics processors. */
  metrics: Type.Object({ waiting: Count, active: Count }, { additionalProperties: false }),
}, { $id: 'Queues', additionalProperties: false });
export type QueuesView = Static<typeof QueuesView>;
