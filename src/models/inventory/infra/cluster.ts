import { Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { InfraDatacenter } from './datacenter';

@Entity('infra_clusters')
@Index('infra_clusters_ref_key', ['providerId', 'emsRef'], { unique: true })
export class InfraCluster extends InventoryObject {
  @Index('infra_clusters_datacenter_idx')
  @ManyToOne(() => InfraDatacenter, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'datacenter_id' })
  datacenter!: InfraDatacenter | null;
}
