import { Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryRecord } from '../inventory-record';
import { InfraDatastore } from './datastore';
import { InfraVm } from './vm';

/** Which datastores hold a VM's disks. */
@Entity('infra_vm_datastores')
@Index('infra_vm_datastores_pair_key', ['vm', 'datastore'], { unique: true })
@Index('infra_vm_datastores_provider_idx', ['providerId'])
export class InfraVmDatastore extends InventoryRecord {
  @ManyToOne(() => InfraVm, { onDelete: 'CASCADE', nullable: false, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'vm_id' })
  vm!: InfraVm;

  @Index('infra_vm_datastores_datastore_idx')
  @ManyToOne(() => InfraDatastore, { onDelete: 'CASCADE', nullable: false, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'datastore_id' })
  datastore!: InfraDatastore;
}
