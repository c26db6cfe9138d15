import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { InfraCluster } from './cluster';
import { InfraDatacenter } from './datacenter';
import { InfraFolder } from './folder';
import { InfraHost } from './host';
import { InfraResourcePool } from './resource-pool';

@Entity('infra_vms')
@Index('infra_vms_ref_key', ['providerId', 'emsRef'], { unique: true })
@Index('infra_vms_provider_name_idx', ['providerId', 'name', 'id'])
@Index('infra_vms_name_idx', ['name', 'id'])
// The API's name search (a GIN trigram index, where pg_trgm exists) is made by migration: TypeORM cannot describe it.
@Index('infra_vms_name_trgm_idx', { synchronize: false })
export class InfraVm extends InventoryObject {
  @Column({ name: 'power_state', type: 'text', nullable: true })
  powerState!: string | null;

  @Column({ type: 'integer', nullable: true })
  cpus!: number | null;

  @Column({ name: 'memory_mb', type: 'integer', nullable: true })
  memoryMb!: number | null;

  @Column({ name: 'guest_os', type: 'text', nullable: true })
  guestOs!: string | null;

  @Index('infra_vms_host_idx')
  @ManyToOne(() => InfraHost, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'host_id' })
  host!: InfraHost | null;

  @Index('infra_vms_cluster_idx')
  @ManyToOne(() => InfraCluster, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'cluster_id' })
  cluster!: InfraCluster | null;

  /** A template is a VM that cannot be powered on, kept to clone VMs from. */
  @Column({ type: 'boolean', nullable: true })
  template!: boolean | null;

  /** The guest's IP addresses, as its tools report them (none while it is off or without tools). */
  @Column({ name: 'ip_addresses', type: 'jsonb', nullable: true })
  ipAddresses!: string[] | null;

  @Index('infra_vms_resource_pool_idx')
  @ManyToOne(() => InfraResourcePool, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'resource_pool_id' })
  resourcePool!: InfraResourcePool | null;

  /** The VM folder it is filed in. */
  @Index('infra_vms_folder_idx')
  @ManyToOne(() => InfraFolder, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'folder_id' })
  folder!: InfraFolder | null;

  @Index('infra_vms_datacenter_idx')
  @ManyToOne(() => InfraDatacenter, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'datacenter_id' })
  datacenter!: InfraDatacenter | null;
}
