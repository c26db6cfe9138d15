import { Column, Entity, Index } from 'typeorm';
import { InventoryObject } from '../inventory-record';

@Entity('cloud_flavors')
@Index('cloud_flavors_ref_key', ['providerId', 'emsRef'], { unique: true })
export class CloudFlavor extends InventoryObject {
  @Column({ type: 'integer', nullable: true })
  cpus!: number | null;

  @Column({ name: 'memory_mb', type: 'integer', nullable: true })
  memoryMb!: number | null;

  @Column({ name: 'root_disk_gb', type: 'integer', nullable: true })
  rootDiskGb!: number | null;
}
