import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';

@Entity('cloud_images')
@Index('cloud_images_ref_key', ['providerId', 'emsRef'], { unique: true })
export class CloudImage extends InventoryObject {
  @Column({ name: 'os_type', type: 'text', nullable: true })
  osType!: string | null;

  @Column({ name: 'size_bytes', type: 'bigint', nullable: true })
  sizeBytes!: string | null;

  /** The image this one was derived from (a snapshot's source): a reference within the same collection. */
  @Index('cloud_images_parent_idx')
  @ManyToOne(() => CloudImage, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'parent_id' })
  parent!: CloudImage | null;
}
