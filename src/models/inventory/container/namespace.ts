import { Column, Entity, Index } from 'typeorm';
import { InventoryObject } from '../inventory-record';

@Entity('container_namespaces')
@Index('container_namespaces_ref_key', ['providerId', 'emsRef'], { unique: true })
@Index('container_namespaces_provider_name_idx', ['providerId', 'name'])
export class ContainerNamespace extends InventoryObject {
  @Column({ type: 'text', nullable: true })
  phase!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  labels!: Record<string, string> | null;
}
