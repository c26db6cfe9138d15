import { Column, Entity, Index } from 'typeorm';
import { InventoryObject } from '../inventory-record';

@Entity('container_nodes')
@Index('container_nodes_ref_key', ['providerId', 'emsRef'], { unique: true })
export class ContainerNode extends InventoryObject {
  @Column({ type: 'boolean', nullable: true })
  ready!: boolean | null;

  @Column({ name: 'cpu_cores', type: 'integer', nullable: true })
  cpuCores!: number | null;

  @Column({ name: 'memory_bytes', type: 'bigint', nullable: true })
  memoryBytes!: string | null;

  @Column({ name: 'kubelet_version', type: 'text', nullable: true })
  kubeletVersion!: string | null;
}
