import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { ContainerNamespace } from './namespace';
import { ContainerNode } from './node';

@Entity('container_pods')
@Index('container_pods_ref_key', ['providerId', 'emsRef'], { unique: true })
@Index('container_pods_provider_name_idx', ['providerId', 'name', 'id'])
@Index('container_pods_name_idx', ['name', 'id'])
// The API's name search (a GIN trigram index, where pg_trgm exists) is made by migration: TypeORM cannot describe it.
@Index('container_pods_name_trgm_idx', { synchronize: false })
export class ContainerPod extends InventoryObject {
  @Column({ type: 'text', nullable: true })
  phase!: string | null;

  @Column({ name: 'pod_ip', type: 'text', nullable: true })
  podIp!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  labels!: Record<string, string> | null;

  @Index('container_pods_namespace_idx')
  @ManyToOne(() => ContainerNamespace, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'namespace_id' })
  namespace!: ContainerNamespace | null;

  @Index('container_pods_node_idx')
  @ManyToOne(() => ContainerNode, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'node_id' })
  node!: ContainerNode | null;
}
