import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { CloudAvailabilityZone } from './availability-zone';
import { CloudFlavor } from './flavor';
import { CloudHost } from './host';
import { CloudImage } from './image';
import { CloudVolume } from './volume';

@Entity('cloud_vms')
@Index('cloud_vms_ref_key', ['providerId', 'emsRef'], { unique: true })
@Index('cloud_vms_provider_name_idx', ['providerId', 'name', 'id'])
@Index('cloud_vms_name_idx', ['name', 'id'])
// The API's name search (a GIN trigram index, where pg_trgm exists) is made by migration: TypeORM cannot describe it.
@Index('cloud_vms_name_trgm_idx', { synchronize: false })
export class CloudVm extends InventoryObject {
  @Column({ name: 'power_state', type: 'text', nullable: true })
  powerState!: string | null;

  @Column({ name: 'ip_address', type: 'text', nullable: true })
  ipAddress!: string | null;

  @Column({ name: 'launched_at', type: 'timestamptz', nullable: true })
  launchedAt!: Date | null;

  @Index('cloud_vms_flavor_idx')
  @ManyToOne(() => CloudFlavor, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'flavor_id' })
  flavor!: CloudFlavor | null;

  @Index('cloud_vms_image_idx')
  @ManyToOne(() => CloudImage, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'image_id' })
  image!: CloudImage | null;

  @Index('cloud_vms_availability_zone_idx')
  @ManyToOne(() => CloudAvailabilityZone, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'availability_zone_id' })
  availabilityZone!: CloudAvailabilityZone | null;

  /** The host the VM runs on; the metrics hierarchy names this relation (`host`). */
  @Index('cloud_vms_host_idx')
  @ManyToOne(() => CloudHost, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'host_id' })
  host!: CloudHost | null;

  /** The volume the VM boots from; with CloudVolume.vm this makes a cycle between the two collections. */
  @Index('cloud_vms_boot_volume_idx')
  @ManyToOne(() => CloudVolume, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'boot_volume_id' })
  bootVolume!: CloudVolume | null;
}
