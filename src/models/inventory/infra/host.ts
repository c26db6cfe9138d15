import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { InfraCluster } from './cluster';
import { InfraDatacenter } from './datacenter';

@Entity('infra_hosts')
@Index('infra_hosts_ref_key', ['providerId', 'emsRef'], { unique: true })
export class InfraHost extends InventoryObject {
  @Column({ type: 'text', nullable: true })
  hostname!: string | null;

  @Column({ name: 'power_state', type: 'text', nullable: true })
  powerState!: string | null;

  @Column({ name: 'cpu_cores', type: 'integer', nullable: true })
  cpuCores!: number | null;

  @Column({ name: 'memory_mb', type: 'integer', nullable: true })
  memoryMb!: number | null;

  @Index('infra_hosts_cluster_idx')
  @ManyToOne(() => InfraCluster, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'cluster_id' })
  cluster!: InfraCluster | null;

  /** connected, disconnected or notResponding, as vCenter sees the host. */
  @Column({ name: 'connection_state', type: 'text', nullable: true })
  connectionState!: string | null;

  @Index('infra_hosts_datacenter_idx')
  @ManyToOne(() => InfraDatacenter, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'datacenter_id' })
  datacenter!: InfraDatacenter | null;
}
