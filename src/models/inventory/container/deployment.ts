import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { ContainerNamespace } from './namespace';

/** A deployment: the replicas it asks for and how many are there, ready and available. */
@Entity('container_deployments')
@Index('container_deployments_ref_key', ['providerId', 'emsRef'], { unique: true })
@Index('container_deployments_provider_name_idx', ['providerId', 'namespaceName', 'name'])
export class ContainerDeployment extends InventoryObject {
  /** The namespace's name, kept beside the reference: a deployment is named `namespace/name`, and filtered by it. */
  @Column({ name: 'namespace_name', type: 'text', nullable: true })
  namespaceName!: string | null;

  @Column({ type: 'integer', nullable: true })
  replicas!: number | null;

  @Column({ name: 'ready_replicas', type: 'integer', nullable: true })
  readyReplicas!: number | null;

  @Column({ name: 'available_replicas', type: 'integer', nullable: true })
  availableReplicas!: number | null;

  @Column({ name: 'updated_replicas', type: 'integer', nullable: true })
  updatedReplicas!: number | null;

  @Column({ type: 'jsonb', nullable: true })
  selector!: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  labels!: Record<string, string> | null;

  @Index('container_deployments_namespace_idx')
  @ManyToOne(() => ContainerNamespace, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'namespace_id' })
  namespace!: ContainerNamespace | null;
}
