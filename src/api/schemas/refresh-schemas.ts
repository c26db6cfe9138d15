import { Type, type Static } from '@sinclair/typebox';
import type { RefreshStats } from '../../models/refresh-stats';
import { Id, Nullable, NullableTimestamp, Timestamp } from './common-schemas';

const Target = Type.Object({
  collection: Type.String({ minLength: 1, maxLength: 64, description: 'an inventory collection of the provider\'s type, or "provider" for a full refresh' }),
  ref: Type.String({ maxLength: 1024, description: 'the object\'s provider reference (ems_ref)' }),
}, { additionalProperties: false });

export const RefreshRequestBody = Type.Object({
  targets: Type.Optional(Type.Array(Target, { maxItems: 10_000, description: 'objects to refresh; none means a full refresh' })),
}, { additionalProperties: false });
export type RefreshRequestBody = Static<typeof RefreshRequestBody>;

export const RefreshAccepted = Type.Object({
  refreshId: Type.String({ description: 'ask GET /refreshes/{refreshId} how it goes' }),
  providerId: Id,
}, { additionalProperties: false });

export const RefreshIdParams = Type.Object({ refreshId: Type.String({ pattern: '^refresh-[1-9][0-9]{0,17}-[0-9]{1,18}$' }) });

const Progress = Type.Object({
  phase: Type.String(),
  built: Type.Record(Type.String(), Type.Integer()),
});

export const RefreshStatusView = Type.Object({
  refreshId: Type.String(),
  providerId: Id,
  state: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  progress: Nullable(Progress),
  /** The refresh run that did the work, once done (null when an already running refresh took this request). */
  refreshRunId: Nullable(Id),
  outcome: Nullable(Type.Object({
    status: Type.String(),
    scope: Type.String(),
    writes: Type.Integer(),
    error: Nullable(Type.String()),
    stats: Type.Unknown(),
  })),
  failedReason: Nullable(Type.String()),
  requestedAt: Timestamp,
  finishedAt: NullableTimestamp,
}, { $id: 'RefreshStatus', additionalProperties: false });
export type RefreshStatusView = Static<typeof RefreshStatusView>;

export const RefreshRunView = Type.Object({
  id: Id,
  providerId: Id,
  kind: Type.String(),
  source: Type.String(),
  status: Type.String(),
  targets: Type.Array(Type.Object({ collection: Type.String(), ref: Type.String() })),
  startedAt: Timestamp,
  finishedAt: NullableTimestamp,
  durationsMs: Type.Object({ collect: Nullable(Type.Integer()), parse: Nullable(Type.Integer()), persist: Nullable(Type.Integer()) }),
  /** Created, updated, deleted and unchanged objects per collection (the run's stored stats, not checked again on the way out). */
  stats: Type.Unsafe<RefreshStats | null>({}),
  error: Nullable(Type.String()),
}, { $id: 'RefreshRun', additionalProperties: false });
export type RefreshRunView = Static<typeof RefreshRunView>;

export const ChangeView = Type.Object({
  /** The change's place in its run (1, 2, ...): the order the refresh wrote them, and the cursor of the pages. */
  id: Type.String({ ...Id, description: "the change's place in its run's history (from 1)" }),
  collection: Type.String(),
  ref: Type.String(),
  kind: Type.String(),
  changedFields: Nullable(Type.Array(Type.String())),
}, { additionalProperties: false });
export type ChangeView = Static<typeof ChangeView>;

/** A page of a list read newest first (or by id): `next` is the cursor of the following page, null at the end. */
export const PageQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }),
  after: Type.Optional(Id),
}, { additionalProperties: false });
export type PageQuery = Static<typeof PageQuery>;
