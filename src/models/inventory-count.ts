import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Provider } from './provider';

/**
 * How many objects a provider has in one inventory table, per state and archived or not: what the overview and the
 * tabs show. Counting a large provider's rows takes longer than a page may, so the refresh worker recounts what a
 * refresh changed, shortly after (see CountKeeper), and readers take these rows as they are (`countedAt` says when).
 */
@Entity('inventory_counts')
export class InventoryCount {
  @PrimaryColumn({ name: 'provider_id', type: 'bigint' })
  providerId!: string;

  @ManyToOne(() => Provider, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id' })
  provider?: Provider;

  /** The inventory table (cloud_vms). */
  @PrimaryColumn({ type: 'text' })
  inventory!: string;

  /** The objects' state (power state, phase...; see stateColumnOf), '' where the table has none or it is not known. */
  @PrimaryColumn({ type: 'text' })
  state!: string;

  /** Archived objects (gone from the provider, kept for their history) are counted apart. */
  @PrimaryColumn({ type: 'boolean' })
  archived!: boolean;

  @Column({ type: 'bigint' })
  count!: string;

  @Column({ name: 'counted_at', type: 'timestamptz' })
  countedAt!: Date;
}
