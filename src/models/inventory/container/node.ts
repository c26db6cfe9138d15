import { Column, Entity, Index } from 'typeorm';
import { InventoryObject } from '../inventory-record';

/** A node of a container cluster; `cpuCores` and `memoryBytes` are its capacity, the allocatable columns what pods may use. */
@Entity('container_nodes')
@Index('container_nodes_ref_key', ['providerId', 'emsRef'], { unique: true })
@Index('container_nodes_provider_name_idx', ['providerId', 'name'])
export class ContainerNode extends InventoryObject {
  @Column({ type: 'boolean', nullable: true })
  ready!: boolean | null;

  @Column({ name: 'cpu_cores', type: 'integer', nullable: true })
  cpuCores!: number | null;

  @Column({ name: 'memory_bytes', type: 'bigint', nullable: true })
  memoryBytes!: string | null;

  @Column({ name: 'kubelet_version', type: 'text', nullable: true })
  kubeletVersion!: string | null;

  @Column({ name: 'allocatable_cpu_millicores', type: 'integer', nullable: true })
  allocatableCpuMillicores!: number | null;

  @Column({ name: 'allocatable_memory_bytes', type: 'bigint', nullable: true })
  allocatableMemoryBytes!: string | null;

  @Column({ name: 'max_pods', type: 'integer', nullable: true })
  maxPods!: number | null;

  @Column({ name: 'internal_ip', type: 'text', nullable: true })
  internalIp!: string | null;

  @Column({ type: 'boolean', nullable: true })
  unschedulable!: boolean | null;

  @Column({ type: 'jsonb', nullable: true })
  labels!: Record<string, string> | null;
}
