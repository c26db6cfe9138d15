import { Entity, Index } from 'typeorm';
import { InventoryObject } from '../inventory-record';

/** A datacenter: the top of a vCenter's inventory below its root folder; every other object belongs to one. */
@Entity('infra_datacenters')
@Index('infra_datacenters_ref_key', ['providerId', 'emsRef'], { unique: true })
export class InfraDatacenter extends InventoryObject {}
