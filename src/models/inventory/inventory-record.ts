import { Column, CreateDateColumn, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Provider } from '../provider';

/**
 * Columns every inventory table has. `contentHash` is the hash of the row's refreshed content: the persister
 * compares it to decide, without reading the row, whether a refresh changes anything.
 */
export abstract class InventoryRecord {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'provider_id', type: 'bigint' })
  providerId!: string;

  @ManyToOne(() => Provider, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id' })
  provider?: Provider;

  @Column({ name: 'content_hash', type: 'text' })
  contentHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** An object the provider names with its own reference (`ems_ref`), like a VM, a flavor or a pod. */
export abstract class InventoryObject extends InventoryRecord {
  /** The provider's reference, unique per provider (each table has the unique index). */
  @Column({ name: 'ems_ref', type: 'text' })
  emsRef!: string;

  /** The provider's stable unique id where it has one besides the reference (a VM's BIOS UUID, a pod's uid). */
  @Column({ name: 'uid_ems', type: 'text', nullable: true })
  uidEms!: string | null;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  /** What the provider reported that the schema does not model. */
  @Column({ type: 'jsonb', nullable: true })
  raw!: Record<string, unknown> | null;

  /** Set when the object disappeared from the provider and its collection keeps history instead of deleting. */
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt!: Date | null;
}
