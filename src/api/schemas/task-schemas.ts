import { Type, type Static } from '@sinclair/typebox';
import { TASK_STATES } from '../../models/task-state';
import { Id, Nullable, NullableTimestamp, StringEnum, Timestamp } from './common-schemas';

export const TaskView = Type.Object({
  id: Id,
  providerId: Id,
  /** The operation's name in the provider's type (`vm.stop`). */
  operation: Type.String(),
  /** The object: its inventory collection (table) and id, and its provider reference. */
  collection: Type.String(),
  objectId: Id,
  objectRef: Type.String(),
  parameters: Type.Record(Type.String(), Type.Unknown()),
  requestedBy: Type.String(),
  priority: Type.Integer(),
  timeoutSeconds: Type.Integer(),
  state: StringEnum(TASK_STATES),
  createdAt: Timestamp,
  startedAt: NullableTimestamp,
  finishedAt: NullableTimestamp,
  inventoryShownAt: Nullable(Type.String({ format: 'date-time', description: 'when the inventory showed the outcome of the succeeded operation: a refresh of its object that began after it ended was saved' })),
  result: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'what the provider answered' })),
  error: Nullable(Type.String()),
}, { $id: 'Task', additionalProperties: false });
export type TaskView = Static<typeof TaskView>;

export const OperationParams = Type.Object({
  collection: Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }),
  id: Id,
  name: Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,62}$', description: 'the operation, as the provider type names it (vm.stop)' }),
});

export const OperationBody = Type.Object({
  parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'as the operation\'s schema says (GET /provider-types/{type})' })),
}, { additionalProperties: false });

export const TaskListQuery = Type.Object({
  providerId: Type.Optional(Id),
  state: Type.Optional(StringEnum(TASK_STATES)),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
}, { additionalProperties: false });
