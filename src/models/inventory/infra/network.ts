import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { InfraDatacenter } from './datacenter';

@Entity('infra_networks')
@Index('infra_networks_ref_key', ['providerId', 'emsRef'], { unique: true })
export class InfraNetwork extends InventoryObject {
  @Column({ name: 'vlan_id', type: 'integer', nullable: true })
  vlanId!: number | null;

  /** The kind of network: a standard one (Network), a distributed port group, an opaque (NSX) network. */
  @Column({ name: 'network_type', type: 'text', nullable: true })
  networkType!: string | null;

  @Index('infra_networks_datacenter_idx')
  @ManyToOne(() => InfraDatacenter, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'datacenter_id' })
  datacenter!: InfraDatacenter | null;
}
