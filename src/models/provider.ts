import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ProviderData } from './provider-data';
import type { RefreshStats } from './refresh-stats';

/** Where a provider's one-time setup stands; a failed setup is retried and only blocks its own provider. */
export type SetupState = 'pending' | 'ready' | 'failed';

/** A registered external management system (ManageIQ's ext_management_systems). */
@Entity('providers')
export class Provider {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  @Index('providers_name_key', { unique: true })
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: 'default' })
  zone!: string;

  @Column({ type: 'text', nullable: true })
  region!: string | null;

  /** Endpoint and type-specific settings, validated by the type's config schema. Never holds credentials. */
  @Column({ type: 'jsonb', default: {} })
  config!: Record<string, unknown>;

  /** State the fleet's workers keep for the provider; read and written key by key through ProviderState. */
  @Column({ name: 'provider_data', type: 'jsonb', default: {} })
  providerData!: ProviderData;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** Minutes between scheduled full refreshes of this provider (0: none); null takes its type's interval. */
  @Column({ name: 'refresh_interval_minutes', type: 'integer', nullable: true })
  refreshIntervalMinutes!: number | null;

  /** Whether setup() has completed (see ProviderState, which reads and writes it with the provider's data). */
  @Column({ name: 'setup_state', type: 'text', default: 'pending' })
  setupState!: SetupState;

  @Column({ name: 'setup_error', type: 'text', nullable: true })
  setupError!: string | null;

  @Column({ name: 'last_refresh_at', type: 'timestamptz', nullable: true })
  lastRefreshAt!: Date | null;

  @Column({ name: 'last_refresh_success_at', type: 'timestamptz', nullable: true })
  lastRefreshSuccessAt!: Date | null;

  /** The last full refresh, however it ended. */
  @Column({ name: 'last_full_refresh_at', type: 'timestamptz', nullable: true })
  lastFullRefreshAt!: Date | null;

  /** The last full refresh that ended ok: the scheduled full refresh counts from it. */
  @Column({ name: 'last_full_refresh_success_at', type: 'timestamptz', nullable: true })
  lastFullRefreshSuccessAt!: Date | null;

  @Column({ name: 'last_refresh_error', type: 'text', nullable: true })
  lastRefreshError!: string | null;

  @Column({ name: 'last_refresh_stats', type: 'jsonb', nullable: true })
  lastRefreshStats!: RefreshStats | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
