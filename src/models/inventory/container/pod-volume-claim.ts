import { Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryRecord } from '../inventory-record';
import { ContainerPersistentVolumeClaim } from './persistent-volume-claim';
import { ContainerPod } from './pod';

/** The persistent volume claims a pod mounts. */
@Entity('container_pod_volume_claims')
@Index('container_pod_volume_claims_pair_key', ['pod', 'persistentVolumeClaim'], { unique: true })
@Index('container_pod_volume_claims_provider_idx', ['providerId'])
export class ContainerPodVolumeClaim extends InventoryRecord {
  @ManyToOne(() => ContainerPod, { onDelete: 'CASCADE', nullable: false, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'pod_id' })
  pod!: ContainerPod;

  @Index('container_pod_volume_claims_claim_idx')
  @ManyToOne(() => ContainerPersistentVolumeClaim, { onDelete: 'CASCADE', nullable: false, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'persistent_volume_claim_id' })
  persistentVolumeClaim!: ContainerPersistentVolumeClaim;
}
