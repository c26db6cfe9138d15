import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { WorkerRoleName } from '../core/workers/worker-role-facts';
import { Provider } from './provider';
import type { WorkerStatus } from './worker-status';

/** One worker process of the fleet, created by the supervisor before the process starts. */
@Entity('workers')
@Index('workers_provider_role_idx', ['providerId', 'role'])
export class Worker {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  role!: WorkerRoleName;

  @Column({ name: 'provider_id', type: 'bigint', nullable: true })
  providerId!: string | null;

  @ManyToOne(() => Provider, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'provider_id' })
  provider?: Provider | null;

  @Index('workers_status_idx')
  @Column({ type: 'text', default: 'requested' })
  status!: WorkerStatus;

  @Column({ name: 'stop_reason', type: 'text', nullable: true })
  stopReason!: string | null;

  @Column({ type: 'integer', nullable: true })
  pid!: number | null;

  @Column({ name: 'pod_name', type: 'text', nullable: true })
  podName!: string | null;

  /** The host the process runs on, for an orchestrator that runs processes on hosts (the local one). */
  @Column({ type: 'text', nullable: true })
  host!: string | null;

  /** The leadership generation whose supervisor asked for this worker (see the fleet_leadership table). */
  @Column({ name: 'leader_generation', type: 'bigint', nullable: true })
  leaderGeneration!: string | null;

  @Column({ name: 'queue_name', type: 'text', nullable: true })
  queueName!: string | null;

  /** Hash of the one-time registration secret handed to the process; cleared once used. */
  @Column({ name: 'registration_secret_hash', type: 'text', nullable: true })
  registrationSecretHash!: string | null;

  @Column({ name: 'registration_expires_at', type: 'timestamptz', nullable: true })
  registrationExpiresAt!: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'stopped_at', type: 'timestamptz', nullable: true })
  stoppedAt!: Date | null;

  @Column({ name: 'last_heartbeat_at', type: 'timestamptz', nullable: true })
  lastHeartbeatAt!: Date | null;

  @Column({ name: 'rss_bytes', type: 'bigint', nullable: true })
  rssBytes!: string | null;

  @Column({ name: 'cpu_time_ms', type: 'bigint', nullable: true })
  cpuTimeMs!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
