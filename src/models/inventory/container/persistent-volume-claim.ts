import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { ContainerNamespace } from './namespace';
import { ContainerPersistentVolume } from './persistent-volume';

/** A claim on storage in a namespace, with the persistent volume bound to it. */
@Entity('container_persistent_volume_claims')
@Index('container_persistent_volume_claims_ref_key', ['providerId', 'emsRef'], { unique: true })
@Index('container_persistent_volume_claims_provider_name_idx', ['providerId', 'namespaceName', 'name'])
export class ContainerPersistentVolumeClaim extends InventoryObject {
  @Column({ name: 'namespace_name', type: 'text', nullable: true })
  namespaceName!: string | null;

  @Column({ type: 'text', nullable: true })
  phase!: string | null;

  /** The storage the claim asks for. */
  @Column({ name: 'requested_bytes', type: 'bigint', nullable: true })
  requestedBytes!: string | null;

  /** The storage it got, once bound. */
  @Column({ name: 'capacity_bytes', type: 'bigint', nullable: true })
  capacityBytes!: string | null;

  @Column({ name: 'access_modes', type: 'jsonb', nullable: true })
  accessModes!: string[] | null;

  @Column({ name: 'storage_class', type: 'text', nullable: true })
  storageClass!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  labels!: Record<string, string> | null;

  @Index('container_persistent_volume_claims_namespace_idx')
  @ManyToOne(() => ContainerNamespace, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'namespace_id' })
  namespace!: ContainerNamespace | null;

  @Index('container_persistent_volume_claims_volume_idx')
  @ManyToOne(() => ContainerPersistentVolume, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'persistent_volume_id' })
  persistentVolume!: ContainerPersistentVolume | null;
}
