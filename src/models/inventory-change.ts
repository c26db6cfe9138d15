import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { RefreshRun } from './refresh-run';

export type ChangeKind = 'created' | 'updated' | 'deleted' | 'archived';

/** One inventory object's change in one refresh: the history operators read ("what changed and when"). */
@Entity('inventory_changes')
@Index('inventory_changes_provider_ref_idx', ['providerId', 'collection', 'ref'])
export class InventoryChange {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Index('inventory_changes_refresh_run_idx')
  @Column({ name: 'refresh_run_id', type: 'bigint' })
  refreshRunId!: string;

  @ManyToOne(() => RefreshRun, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'refresh_run_id' })
  refreshRun?: RefreshRun;

  @Column({ name: 'provider_id', type: 'bigint' })
  providerId!: string;

  @Column({ type: 'text' })
  collection!: string;

  /** The object's manager reference (composite references joined with '/'). */
  @Column({ type: 'text' })
  ref!: string;

  @Column({ type: 'text' })
  kind!: ChangeKind;

  @Column({ name: 'changed_fields', type: 'text', array: true, nullable: true })
  changedFields!: string[] | null;
}
