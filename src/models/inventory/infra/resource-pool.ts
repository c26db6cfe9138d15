import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { InfraCluster } from './cluster';
import { InfraDatacenter } from './datacenter';

/** A resource pool (or vApp) of a cluster or standalone host; each has a root pool its other pools are under. */
@Entity('infra_resource_pools')
@Index('infra_resource_pools_ref_key', ['providerId', 'emsRef'], { unique: true })
export class InfraResourcePool extends InventoryObject {
  /** The reference of the pool, cluster or host it is under. */
  @Column({ name: 'parent_ref', type: 'text', nullable: true })
  parentRef!: string | null;

  /** Whether it is a vApp (a pool that also groups its VMs as one application). */
  @Column({ type: 'boolean', nullable: true })
  vapp!: boolean | null;

  /** The cluster whose resources it shares out; none for a standalone host's pools. */
  @Index('infra_resource_pools_cluster_idx')
  @ManyToOne(() => InfraCluster, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'cluster_id' })
  cluster!: InfraCluster | null;

  @Index('infra_resource_pools_datacenter_idx')
  @ManyToOne(() => InfraDatacenter, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'datacenter_id' })
  datacenter!: InfraDatacenter | null;
}
