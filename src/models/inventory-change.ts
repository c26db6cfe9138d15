import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ChangeKind = 'created' | 'updated' | 'deleted' | 'archived';

/**
 * One inventory object's change in one refresh: the history operators read ("what did this refresh change"), by
 * refresh run. An append-only log written at refresh speed, so it is keyed by what the refresh knows (its run and the
 * change's place in it) and has nothing else to maintain: no sequence, no foreign keys, no second index. A first
 * refresh of a million objects writes a million changes; with an id from a sequence and indexes by run and by object
 * reference, those changes cost almost half as much as the inventory itself. ProviderStore.delete removes a
 * provider's history with it.
 */
@Entity('inventory_changes')
export class InventoryChange {
  @PrimaryColumn({ name: 'refresh_run_id', type: 'bigint' })
  refreshRunId!: string;

  /** The change's place in its run's history (from 1), the order the refresh wrote them. */
  @PrimaryColumn({ type: 'integer' })
  ordinal!: number;

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
