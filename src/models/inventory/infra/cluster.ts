import { Entity, Index } from 'typeorm';
import { InventoryObject } from '../inventory-record';

@Entity('infra_clusters')
@Index('infra_clusters_ref_key', ['providerId', 'emsRef'], { unique: true })
export class InfraCluster extends InventoryObject {}
