import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ChangeKind = 'created' | 'updated' | 'deleted' | 'archived';

/**
 * One inventory object's change in one refresh: the history operators read ("what changed and when"). An
 * append-only log written at refresh speed, so it has no foreign keys (a key check per row cost three times the
 * row itself); ProviderStore.delete removes a provider's history with it.
 */
@Entity('inventory_changes')
@Index('inventory_changes_provider_ref_idx', ['providerId', 'collection', 'ref'])
export class InventoryChange {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Index('inventory_changes_refresh_run_idx')
  @Column({ name: 'refresh_run_id', type: 'bigint' })
  refreshRunId!: string;

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
