import { Column, Entity, Index } from 'typeorm';
import { InventoryObject } from '../inventory-record';

@Entity('infra_datastores')
@Index('infra_datastores_ref_key', ['providerId', 'emsRef'], { unique: true })
export class InfraDatastore extends InventoryObject {
  @Column({ name: 'store_type', type: 'text', nullable: true })
  storeType!: string | null;

  @Column({ name: 'capacity_bytes', type: 'bigint', nullable: true })
  capacityBytes!: string | null;

  @Column({ name: 'free_bytes', type: 'bigint', nullable: true })
  freeBytes!: string | null;
}
