import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Provider } from './provider';
import type { RefreshStats } from './refresh-stats';

/**
 * Who asked for a refresh; `recovery`: the fleet, after Redis lost requests it had accepted; `operation`: a task's
 * operation succeeded, and its object is read again.
 */
export type RefreshSource = 'user' | 'schedule' | 'startup' | 'event' | 'cli' | 'recovery' | 'operation';
/** `timed_out`: past its deadline (see refreshTimeoutMinutes), aborted with nothing of it kept. */
export type RefreshStatus = 'running' | 'ok' | 'partial' | 'failed' | 'timed_out';

/** One refresh of one provider: what was asked, how long each phase took, what changed, and how it ended. */
@Entity('refresh_runs')
@Index('refresh_runs_provider_started_idx', ['providerId', 'startedAt'])
export class RefreshRun {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'provider_id', type: 'bigint' })
  providerId!: string;

  @ManyToOne(() => Provider, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id' })
  provider?: Provider;

  @Column({ type: 'text' })
  kind!: 'full' | 'targeted';

  /** The targets asked for (empty for a full refresh), as `{ collection, ref }` pairs. */
  @Column({ type: 'jsonb', default: [] })
  targets!: { collection: string; ref: string }[];

  @Column({ type: 'text', default: 'cli' })
  source!: RefreshSource;

  @Column({ type: 'text', default: 'running' })
  status!: RefreshStatus;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'collect_ms', type: 'integer', nullable: true })
  collectMs!: number | null;

  @Column({ name: 'parse_ms', type: 'integer', nullable: true })
  parseMs!: number | null;

  @Column({ name: 'persist_ms', type: 'integer', nullable: true })
  persistMs!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  stats!: RefreshStats | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
