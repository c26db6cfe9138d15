import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { ContainerNamespace } from './namespace';

@Entity('container_services')
@Index('container_services_ref_key', ['providerId', 'emsRef'], { unique: true })
@Index('container_services_provider_name_idx', ['providerId', 'namespaceName', 'name'])
export class ContainerService extends InventoryObject {
  @Column({ name: 'service_type', type: 'text', nullable: true })
  serviceType!: string | null;

  @Column({ name: 'cluster_ip', type: 'text', nullable: true })
  clusterIp!: string | null;

  /** The label selector; the pods it selects are kept in container_service_pods. */
  @Column({ type: 'jsonb', nullable: true })
  selector!: Record<string, string> | null;

  @Column({ name: 'namespace_name', type: 'text', nullable: true })
  namespaceName!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  ports!: Record<string, unknown>[] | null;

  @Column({ type: 'jsonb', nullable: true })
  labels!: Record<string, string> | null;

  @Index('container_services_namespace_idx')
  @ManyToOne(() => ContainerNamespace, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'namespace_id' })
  namespace!: ContainerNamespace | null;
}
