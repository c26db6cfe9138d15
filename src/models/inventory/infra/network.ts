import { Column, Entity, Index } from 'typeorm';
import { InventoryObject } from '../inventory-record';

@Entity('infra_networks')
@Index('infra_networks_ref_key', ['providerId', 'emsRef'], { unique: true })
export class InfraNetwork extends InventoryObject {
  @Column({ name: 'vlan_id', type: 'integer', nullable: true })
  vlanId!: number | null;
}
