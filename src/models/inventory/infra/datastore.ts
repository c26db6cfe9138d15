import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryObject } from '../inventory-record';
import { InfraDatacenter } from './datacenter';

@Entity('infra_datastores')
@Index('infra_datastores_ref_key', ['providerId', 'emsRef'], { unique: true })
export class InfraDatastore extends InventoryObject {
  @Column({ name: 'store_type', type: 'text', nullable: true })
  storeType!: string | null;

  @Column({ name: 'capacity_bytes', type: 'bigint', nullable: true })
  capacityBytes!: string | null;

  @Column({ name: 'free_bytes', type: 'bigint', nullable: true })
  freeBytes!: string | null;

  @Column({ type: 'boolean', nullable: true })
  accessible!: boolean | null;

  @Index('infra_datastores_datacenter_idx')
  @ManyToOne(() => InfraDatacenter, { onDelete: 'SET NULL', nullable: true, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'datacenter_id' })
  datacenter!: InfraDatacenter | null;
}
