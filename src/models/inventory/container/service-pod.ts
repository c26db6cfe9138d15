import { Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { InventoryRecord } from '../inventory-record';
import { ContainerPod } from './pod';
import { ContainerService } from './service';

/** The pods a service's selector matches. */
@Entity('container_service_pods')
@Index('container_service_pods_pair_key', ['service', 'pod'], { unique: true })
@Index('container_service_pods_provider_idx', ['providerId'])
export class ContainerServicePod extends InventoryRecord {
  @ManyToOne(() => ContainerService, { onDelete: 'CASCADE', nullable: false, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'service_id' })
  service!: ContainerService;

  @Index('container_service_pods_pod_idx')
  @ManyToOne(() => ContainerPod, { onDelete: 'CASCADE', nullable: false, deferrable: 'INITIALLY IMMEDIATE' })
  @JoinColumn({ name: 'pod_id' })
  pod!: ContainerPod;
}
