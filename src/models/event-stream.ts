import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { EventObjectRef } from '../core/events/provider-events';
import { CloudVm } from './inventory/cloud/vm';
import { CloudVolume } from './inventory/cloud/volume';
import { ContainerNode } from './inventory/container/node';
import { ContainerPod } from './inventory/container/pod';
import { InfraHost } from './inventory/infra/host';
import { InfraVm } from './inventory/infra/vm';
import { Provider } from './provider';

/**
 * One provider event as the fleet stored it (ManageIQ's event_streams): once per provider and source id, with
 * links to the inventory objects it names. `refs` always keeps the provider's references, also of objects that
 * were not in the inventory yet when the event was stored; the links are set where the object was known.
 */
@Entity('event_streams')
@Index('event_streams_source_key', ['providerId', 'sourceId'], { unique: true })
@Index('event_streams_provider_time_idx', ['providerId', 'timestamp'])
export class EventStream {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'provider_id', type: 'bigint' })
  providerId!: string;

  @ManyToOne(() => Provider, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id' })
  provider?: Provider;

  @Column({ name: 'source_id', type: 'text' })
  sourceId!: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  /** When the provider says the event happened; retention purges by it. */
  @Index('event_streams_timestamp_idx')
  @Column({ type: 'timestamptz' })
  timestamp!: Date;

  @Column({ type: 'text' })
  message!: string;

  /** GIN-indexed (jsonb_path_ops) by a migration, for finding an object's events by its reference. */
  @Index('event_streams_refs_idx', { synchronize: false })
  @Column({ type: 'jsonb', default: [] })
  refs!: EventObjectRef[];

  @Index('event_streams_cloud_vm_idx')
  @ManyToOne(() => CloudVm, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'cloud_vm_id' })
  cloudVm!: CloudVm | null;

  @Index('event_streams_cloud_volume_idx')
  @ManyToOne(() => CloudVolume, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'cloud_volume_id' })
  cloudVolume!: CloudVolume | null;

  @Index('event_streams_infra_vm_idx')
  @ManyToOne(() => InfraVm, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'infra_vm_id' })
  infraVm!: InfraVm | null;

  @Index('event_streams_infra_host_idx')
  @ManyToOne(() => InfraHost, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'infra_host_id' })
  infraHost!: InfraHost | null;

  @Index('event_streams_container_node_idx')
  @ManyToOne(() => ContainerNode, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'container_node_id' })
  containerNode!: ContainerNode | null;

  @Index('event_streams_container_pod_idx')
  @ManyToOne(() => ContainerPod, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'container_pod_id' })
  containerPod!: ContainerPod | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** The link column of event_streams for each inventory table an event can name. */
export const EVENT_LINK_COLUMNS: Readonly<Record<string, string>> = {
  cloud_vms: 'cloud_vm_id',
  cloud_volumes: 'cloud_volume_id',
  infra_vms: 'infra_vm_id',
  infra_hosts: 'infra_host_id',
  container_nodes: 'container_node_id',
  container_pods: 'container_pod_id',
};
