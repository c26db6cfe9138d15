import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { ContainerNamespace } from './namespace';
import { ContainerNode } from './node';
import { ContainerReplicaSet } from './replica-set';

@Entity('container_pods')
@Index('container_pods_ref_key', ['providerId', 'emsRef'], { unique: true })
@Index('container_pods_provider_name_idx', ['providerId', 'name', 'id'])
@Index('container_pods_name_idx', ['name', 'id'])
@Index('container_pods_provider_namespace_name_idx', ['providerId', 'namespaceName', 'name'])
// The API's name search (a GIN trigram index, where pg_trgm exists) is made by migration: TypeORM cannot describe it.
@Index('container_pods_name_trgm_idx', { synchronize: false })
export class ContainerPod extends InventoryObject {
  @Column({ type: 'text', nullable: true })
  phase!: string | null;

  @Column({ name: 'pod_ip', type: 'text', nullable: true })
  podIp!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  labels!: Record<string, string> | null;

  /** The namespace's name, kept beside the reference: a pod is named `namespace/name`, and filtered by it. */
  @Column({ name: 'namespace_name', type: 'text', nullable: true })
  namespaceName!: string | null;

  /** The IP of the node the pod runs on. */
  @Column({ name: 'host_ip', type: 'text', nullable: true })
  hostIp!: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'restart_policy', type: 'text', nullable: true })
  restartPolicy!: string | null;

  @Index('container_pods_namespace_idx')
  @ManyToOne(() => ContainerNamespace, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'namespace_id' })
  namespace!: ContainerNamespace | null;

  @Index('container_pods_node_idx')
  @ManyToOne(() => ContainerNode, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'node_id' })
  node!: ContainerNode | null;

  /** The replica set that controls the pod, where one does. */
  @Index('container_pods_replica_set_idx')
  @ManyToOne(() => ContainerReplicaSet, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'replica_set_id' })
  replicaSet!: ContainerReplicaSet | null;
}
