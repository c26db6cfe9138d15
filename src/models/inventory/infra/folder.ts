import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { InfraDatacenter } from './datacenter';

/** A folder of a datacenter (VMs and templates are filed in them), or of the root (datacenters are). */
@Entity('infra_folders')
@Index('infra_folders_ref_key', ['providerId', 'emsRef'], { unique: true })
export class InfraFolder extends InventoryObject {
  /** What the folder holds: vm, host, datastore, network or datacenter. */
  @Column({ name: 'folder_type', type: 'text', nullable: true })
  folderType!: string | null;

  /** The reference of the folder or datacenter it is in (none for the root folder). */
  @Column({ name: 'parent_ref', type: 'text', nullable: true })
  parentRef!: string | null;

  @Index('infra_folders_datacenter_idx')
  @ManyToOne(() => InfraDatacenter, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'datacenter_id' })
  datacenter!: InfraDatacenter | null;
}
