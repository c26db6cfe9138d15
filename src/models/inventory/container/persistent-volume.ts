import { Column, Entity, Index } from 'typeorm';
import { InventoryObject } from '../inventory-record';

/** A persistent volume of the cluster (cluster-wide, like a node). */
@Entity('container_persistent_volumes')
@Index('container_persistent_volumes_ref_key', ['providerId', 'emsRef'], { unique: true })
@Index('container_persistent_volumes_provider_name_idx', ['providerId', 'name'])
export class ContainerPersistentVolume extends InventoryObject {
  @Column({ type: 'text', nullable: true })
  phase!: string | null;

  @Column({ name: 'capacity_bytes', type: 'bigint', nullable: true })
  capacityBytes!: string | null;

  @Column({ name: 'access_modes', type: 'jsonb', nullable: true })
  accessModes!: string[] | null;

  @Column({ name: 'storage_class', type: 'text', nullable: true })
  storageClass!: string | null;

  @Column({ name: 'reclaim_policy', type: 'text', nullable: true })
  reclaimPolicy!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  labels!: Record<string, string> | null;
}
