import { Column, Entity, Index } from 'typeorm';
import { InventoryObject } from '../inventory-record';

@Entity('cloud_security_groups')
@Index('cloud_security_groups_ref_key', ['providerId', 'emsRef'], { unique: true })
export class CloudSecurityGroup extends InventoryObject {
  @Column({ type: 'text', nullable: true })
  description!: string | null;
}
