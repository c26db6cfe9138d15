import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Provider } from './provider';
import type { TaskState } from './task-state';

/**
 * One operation asked of a provider on one of its objects (stop VM web-1), from the request to its end: acknowledged
 * with its id at once, run by the provider's worker in priority order, and answered by this row's final state.
 */
@Entity('tasks')
@Index('tasks_provider_idx', ['providerId', 'id'])
@Index('tasks_state_idx', ['state'])
// What each refresh looks for: the succeeded operations whose outcome its inventory does not show yet.
@Index('tasks_awaiting_inventory_idx', ['providerId'], { where: `state = 'succeeded' AND inventory_shown_at IS NULL` })
export class Task {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'provider_id', type: 'bigint' })
  providerId!: string;

  @ManyToOne(() => Provider, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id' })
  provider?: Provider;

  /** The operation's name in the provider's type (`vm.stop`). */
  @Column({ type: 'text' })
  operation!: string;

  /** The object: its inventory table and row, and its provider reference (which stays when the row goes). */
  @Column({ type: 'text' })
  inventory!: string;

  @Column({ name: 'object_id', type: 'bigint' })
  objectId!: string;

  @Column({ name: 'object_ref', type: 'text' })
  objectRef!: string;

  @Column({ type: 'jsonb', default: {} })
  parameters!: Record<string, unknown>;

  /** Who asked: the API, the CLI. */
  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  @Column({ type: 'integer' })
  priority!: number;

  @Column({ name: 'timeout_seconds', type: 'integer' })
  timeoutSeconds!: number;

  @Column({ type: 'text', default: 'queued' })
  state!: TaskState;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /**
   * When the inventory showed the operation's outcome: the commit of the first refresh of its object (or of its whole
   * provider) that began after the task succeeded. Null before, and for tasks that did not succeed.
   */
  @Column({ name: 'inventory_shown_at', type: 'timestamptz', nullable: true })
  inventoryShownAt!: Date | null;

  /** What the provider answered (the object's new state...). */
  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
