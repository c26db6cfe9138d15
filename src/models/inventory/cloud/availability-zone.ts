import { Column, Entity, Index } from 'typeorm';
import { InventoryObject } from '../inventory-record';

@Entity('cloud_availability_zones')
@Index('cloud_availability_zones_ref_key', ['providerId', 'emsRef'], { unique: true })
export class CloudAvailabilityZone extends InventoryObject {
  @Column({ type: 'text', nullable: true })
  state!: string | null;
}
