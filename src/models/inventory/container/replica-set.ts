import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { ContainerDeployment } from './deployment';
import { ContainerNamespace } from './namespace';

/** A replica set, with the deployment that owns it where one does. */
@Entity('container_replica_sets')
@Index('container_replica_sets_ref_key', ['providerId', 'emsRef'], { unique: true })
@Index('container_replica_sets_provider_name_idx', ['providerId', 'namespaceName', 'name'])
export class ContainerReplicaSet extends InventoryObject {
  @Column({ name: 'namespace_name', type: 'text', nullable: true })
  namespaceName!: string | null;

  @Column({ type: 'integer', nullable: true })
  replicas!: number | null;

  @Column({ name: 'ready_replicas', type: 'integer', nullable: true })
  readyReplicas!: number | null;

  @Column({ name: 'available_replicas', type: 'integer', nullable: true })
  availableReplicas!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  labels!: Record<string, string> | null;

  @Index('container_replica_sets_namespace_idx')
  @ManyToOne(() => ContainerNamespace, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'namespace_id' })
  namespace!: ContainerNamespace | null;

  @Index('container_replica_sets_deployment_idx')
  @ManyToOne(() => ContainerDeployment, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'deployment_id' })
  deployment!: ContainerDeployment | null;
}
