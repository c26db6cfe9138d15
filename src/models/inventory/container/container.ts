import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { ContainerPod } from './pod';

/** A container of a pod; it lives and dies with its pod. */
@Entity('containers')
@Index('containers_ref_key', ['providerId', 'emsRef'], { unique: true })
@Index('containers_provider_name_idx', ['providerId', 'name', 'id'])
@Index('containers_name_idx', ['name', 'id'])
// The API's name search (a GIN trigram index, where pg_trgm exists) is made by migration: TypeORM cannot describe it.
@Index('containers_name_trgm_idx', { synchronize: false })
export class Container extends InventoryObject {
  @Column({ type: 'text', nullable: true })
  image!: string | null;

  @Column({ type: 'text', nullable: true })
  state!: string | null;

  @Column({ name: 'restart_count', type: 'integer', nullable: true })
  restartCount!: number | null;

  @Column({ type: 'boolean', nullable: true })
  ready!: boolean | null;

  /** Why the container is in its state (CrashLoopBackOff, Completed, ...). */
  @Column({ name: 'state_reason', type: 'text', nullable: true })
  stateReason!: string | null;

  /** The runtime's id of the running container (docker://..., containerd://...). */
  @Column({ name: 'container_id', type: 'text', nullable: true })
  containerId!: string | null;

  @Index('containers_pod_idx')
  @ManyToOne(() => ContainerPod, { onDelete: 'CASCADE', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'pod_id' })
  pod!: ContainerPod | null;
}
