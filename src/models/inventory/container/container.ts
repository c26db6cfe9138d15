import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { ContainerPod } from './pod';

/** A container of a pod; it lives and dies with its pod. */
@Entity('containers')
@Index('containers_ref_key', ['providerId', 'emsRef'], { unique: true })
export class Container extends InventoryObject {
  @Column({ type: 'text', nullable: true })
  image!: string | null;

  @Column({ type: 'text', nullable: true })
  state!: string | null;

  @Column({ name: 'restart_count', type: 'integer', nullable: true })
  restartCount!: number | null;

  @Index('containers_pod_idx')
  @ManyToOne(() => ContainerPod, { onDelete: 'CASCADE', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'pod_id' })
  pod!: ContainerPod | null;
}
