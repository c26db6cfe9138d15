import { Column, Entity, Index } from 'typeorm';
import { InventoryObject } from '../inventory-record';

@Entity('container_namespaces')
@Index('container_namespaces_ref_key', ['providerId', 'emsRef'], { unique: true })
export class ContainerNamespace extends InventoryObject {
  @Column({ type: 'text', nullable: true })
  phase!: string | null;
}
