import { Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryRecord } from '../inventory-record';
import { InfraNetwork } from './network';
import { InfraVm } from './vm';

/** Which networks (port groups) a VM's network cards are connected to. */
@Entity('infra_vm_networks')
@Index('infra_vm_networks_pair_key', ['vm', 'network'], { unique: true })
@Index('infra_vm_networks_provider_idx', ['providerId'])
export class InfraVmNetwork extends InventoryRecord {
  @ManyToOne(() => InfraVm, { onDelete: 'CASCADE', nullable: false, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'vm_id' })
  vm!: InfraVm;

  @Index('infra_vm_networks_network_idx')
  @ManyToOne(() => InfraNetwork, { onDelete: 'CASCADE', nullable: false, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'network_id' })
  network!: InfraNetwork;
}
