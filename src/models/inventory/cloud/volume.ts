import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { CloudAvailabilityZone } from './availability-zone';
import type { CloudVm } from './vm';

@Entity('cloud_volumes')
@Index('cloud_volumes_ref_key', ['providerId', 'emsRef'], { unique: true })
@Index('cloud_volumes_provider_name_idx', ['providerId', 'name', 'id'])
@Index('cloud_volumes_name_idx', ['name', 'id'])
// The API's name search (a GIN trigram index, where pg_trgm exists) is made by migration: TypeORM cannot describe it.
@Index('cloud_volumes_name_trgm_idx', { synchronize: false })
export class CloudVolume extends InventoryObject {
  @Column({ name: 'size_gb', type: 'integer', nullable: true })
  sizeGb!: number | null;

  @Column({ type: 'text', nullable: true })
  status!: string | null;

  /** Where the volume is attached on its VM (e.g. /dev/vdb); null when detached. */
  @Column({ type: 'text', nullable: true })
  device!: string | null;

  @Index('cloud_volumes_vm_idx')
  @ManyToOne('CloudVm', { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'vm_id' })
  vm!: CloudVm | null;

  @Index('cloud_volumes_availability_zone_idx')
  @ManyToOne(() => CloudAvailabilityZone, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'availability_zone_id' })
  availabilityZone!: CloudAvailabilityZone | null;
}
