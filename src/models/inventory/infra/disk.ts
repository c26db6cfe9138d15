import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { InfraDatastore } from './datastore';
import { InfraVm } from './vm';

/** A virtual disk of a VM; it lives and dies with its VM. Its reference is the VM's and the device's key. */
@Entity('infra_disks')
@Index('infra_disks_ref_key', ['providerId', 'emsRef'], { unique: true })
export class InfraDisk extends InventoryObject {
  /** The device's key within its VM. */
  @Column({ name: 'device_key', type: 'integer', nullable: true })
  deviceKey!: number | null;

  @Column({ name: 'size_bytes', type: 'bigint', nullable: true })
  sizeBytes!: string | null;

  /** The backing file, as vSphere writes it: `[datastore] folder/disk.vmdk`. */
  @Column({ name: 'file_name', type: 'text', nullable: true })
  fileName!: string | null;

  @Column({ name: 'thin_provisioned', type: 'boolean', nullable: true })
  thinProvisioned!: boolean | null;

  @Column({ name: 'disk_mode', type: 'text', nullable: true })
  diskMode!: string | null;

  @Index('infra_disks_vm_idx')
  @ManyToOne(() => InfraVm, { onDelete: 'CASCADE', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'vm_id' })
  vm!: InfraVm | null;

  @Index('infra_disks_datastore_idx')
  @ManyToOne(() => InfraDatastore, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'datastore_id' })
  datastore!: InfraDatastore | null;
}
