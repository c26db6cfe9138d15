import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { CloudAvailabilityZone } from './availability-zone';

/** A cloud's hypervisor: the machine its VMs run on, where the cloud tells (utilization metrics roll up to it). */
@Entity('cloud_hosts')
@Index('cloud_hosts_ref_key', ['providerId', 'emsRef'], { unique: true })
export class CloudHost extends InventoryObject {
  @Column({ name: 'cpu_cores', type: 'integer', nullable: true })
  cpuCores!: number | null;

  @Column({ name: 'memory_mb', type: 'integer', nullable: true })
  memoryMb!: number | null;

  @Index('cloud_hosts_availability_zone_idx')
  @ManyToOne(() => CloudAvailabilityZone, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'availability_zone_id' })
  availabilityZone!: CloudAvailabilityZone | null;
}
