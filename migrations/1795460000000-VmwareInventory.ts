import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The vSphere inventory: datacenters, folders, resource pools and VMs' disks as tables of their own, and the networks
 * each VM is connected to beside the datastores it uses; on the existing infra tables, the datacenter every object
 * belongs to, a host's connection state, a datastore's accessibility, a network's kind, and a VM's template flag,
 * IP addresses, resource pool and folder.
 */
export class VmwareInventory1795460000000 implements MigrationInterface {
    name = 'VmwareInventory1795460000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "infra_datacenters" ("id" BIGSERIAL NOT NULL, "provider_id" bigint NOT NULL, "content_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ems_ref" text NOT NULL, "uid_ems" text, "name" text, "raw" jsonb, "archived_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_535a1baad7863318a9b4c2c0e63" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "infra_datacenters_ref_key" ON "infra_datacenters" ("provider_id", "ems_ref") `);
        await queryRunner.query(`CREATE TABLE "infra_folders" ("id" BIGSERIAL NOT NULL, "provider_id" bigint NOT NULL, "content_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ems_ref" text NOT NULL, "uid_ems" text, "name" text, "raw" jsonb, "archived_at" TIMESTAMP WITH TIME ZONE, "folder_type" text, "parent_ref" text, "datacenter_id" bigint, CONSTRAINT "PK_ceaf5d4585f5502e709bf4c28b6" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "infra_folders_datacenter_idx" ON "infra_folders" ("datacenter_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "infra_folders_ref_key" ON "infra_folders" ("provider_id", "ems_ref") `);
        await queryRunner.query(`CREATE TABLE "infra_resource_pools" ("id" BIGSERIAL NOT NULL, "provider_id" bigint NOT NULL, "content_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ems_ref" text NOT NULL, "uid_ems" text, "name" text, "raw" jsonb, "archived_at" TIMESTAMP WITH TIME ZONE, "parent_ref" text, "vapp" boolean, "cluster_id" bigint, "datacenter_id" bigint, CONSTRAINT "PK_00542f5b3d0d9cfa4f1c8b4f14f" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "infra_resource_pools_cluster_idx" ON "infra_resource_pools" ("cluster_id") `);
        await queryRunner.query(`CREATE INDEX "infra_resource_pools_datacenter_idx" ON "infra_resource_pools" ("datacenter_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "infra_resource_pools_ref_key" ON "infra_resource_pools" ("provider_id", "ems_ref") `);
        await queryRunner.query(`CREATE TABLE "infra_disks" ("id" BIGSERIAL NOT NULL, "provider_id" bigint NOT NULL, "content_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ems_ref" text NOT NULL, "uid_ems" text, "name" text, "raw" jsonb, "archived_at" TIMESTAMP WITH TIME ZONE, "device_key" integer, "size_bytes" bigint, "file_name" text, "thin_provisioned" boolean, "disk_mode" text, "vm_id" bigint, "datastore_id" bigint, CONSTRAINT "PK_363ef4a86042d25e1803f39bf74" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "infra_disks_vm_idx" ON "infra_disks" ("vm_id") `);
        await queryRunner.query(`CREATE INDEX "infra_disks_datastore_idx" ON "infra_disks" ("datastore_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "infra_disks_ref_key" ON "infra_disks" ("provider_id", "ems_ref") `);
        await queryRunner.query(`CREATE TABLE "infra_vm_networks" ("id" BIGSERIAL NOT NULL, "provider_id" bigint NOT NULL, "content_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "vm_id" bigint NOT NULL, "network_id" bigint NOT NULL, CONSTRAINT "PK_157f1d362058c17a82bd14ae16e" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "infra_vm_networks_network_idx" ON "infra_vm_networks" ("network_id") `);
        await queryRunner.query(`CREATE INDEX "infra_vm_networks_provider_idx" ON "infra_vm_networks" ("provider_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "infra_vm_networks_pair_key" ON "infra_vm_networks" ("vm_id", "network_id") `);
        await queryRunner.query(`ALTER TABLE "infra_clusters" ADD "datacenter_id" bigint`);
        await queryRunner.query(`ALTER TABLE "infra_hosts" ADD "connection_state" text`);
        await queryRunner.query(`ALTER TABLE "infra_hosts" ADD "datacenter_id" bigint`);
        await queryRunner.query(`ALTER TABLE "infra_vms" ADD "template" boolean`);
        await queryRunner.query(`ALTER TABLE "infra_vms" ADD "ip_addresses" jsonb`);
        await queryRunner.query(`ALTER TABLE "infra_vms" ADD "resource_pool_id" bigint`);
        await queryRunner.query(`ALTER TABLE "infra_vms" ADD "folder_id" bigint`);
        await queryRunner.query(`ALTER TABLE "infra_vms" ADD "datacenter_id" bigint`);
        await queryRunner.query(`ALTER TABLE "infra_datastores" ADD "accessible" boolean`);
        await queryRunner.query(`ALTER TABLE "infra_datastores" ADD "datacenter_id" bigint`);
        await queryRunner.query(`ALTER TABLE "infra_networks" ADD "network_type" text`);
        await queryRunner.query(`ALTER TABLE "infra_networks" ADD "datacenter_id" bigint`);
        await queryRunner.query(`CREATE INDEX "infra_clusters_datacenter_idx" ON "infra_clusters" ("datacenter_id") `);
        await queryRunner.query(`CREATE INDEX "infra_hosts_datacenter_idx" ON "infra_hosts" ("datacenter_id") `);
        await queryRunner.query(`CREATE INDEX "infra_vms_resource_pool_idx" ON "infra_vms" ("resource_pool_id") `);
        await queryRunner.query(`CREATE INDEX "infra_vms_folder_idx" ON "infra_vms" ("folder_id") `);
        await queryRunner.query(`CREATE INDEX "infra_vms_datacenter_idx" ON "infra_vms" ("datacenter_id") `);
        await queryRunner.query(`CREATE INDEX "infra_datastores_datacenter_idx" ON "infra_datastores" ("datacenter_id") `);
        await queryRunner.query(`CREATE INDEX "infra_networks_datacenter_idx" ON "infra_networks" ("datacenter_id") `);
        await queryRunner.query(`ALTER TABLE "infra_datacenters" ADD CONSTRAINT "FK_0592ba7029846fd03e265f9d8a9" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "infra_clusters" ADD CONSTRAINT "FK_08d992f40d845c6e153db4ddf62" FOREIGN KEY ("datacenter_id") REFERENCES "infra_datacenters"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "infra_hosts" ADD CONSTRAINT "FK_7d9ff1a331c34a52cdb91ee9713" FOREIGN KEY ("datacenter_id") REFERENCES "infra_datacenters"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "infra_folders" ADD CONSTRAINT "FK_64546d0a6c2713c59276ec102cb" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "infra_folders" ADD CONSTRAINT "FK_52b95d7453acbb93761655f2cb0" FOREIGN KEY ("datacenter_id") REFERENCES "infra_datacenters"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "infra_resource_pools" ADD CONSTRAINT "FK_c36fda60d7b9932d78d6c9e207f" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "infra_resource_pools" ADD CONSTRAINT "FK_6b266948005d81659cf44e5e5f5" FOREIGN KEY ("cluster_id") REFERENCES "infra_clusters"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "infra_resource_pools" ADD CONSTRAINT "FK_e7f70d9db6ba2dee0bca1c78f94" FOREIGN KEY ("datacenter_id") REFERENCES "infra_datacenters"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "infra_vms" ADD CONSTRAINT "FK_43552269cb926ef1eb4174a5443" FOREIGN KEY ("resource_pool_id") REFERENCES "infra_resource_pools"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "infra_vms" ADD CONSTRAINT "FK_be2051719d3f9bbd8112e1cbc27" FOREIGN KEY ("folder_id") REFERENCES "infra_folders"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "infra_vms" ADD CONSTRAINT "FK_50d4caa96192f914ac40fa27357" FOREIGN KEY ("datacenter_id") REFERENCES "infra_datacenters"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "infra_datastores" ADD CONSTRAINT "FK_329657ea0c1c1f6e85c35e057f4" FOREIGN KEY ("datacenter_id") REFERENCES "infra_datacenters"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "infra_disks" ADD CONSTRAINT "FK_12c1861217eb84bebab87f96c7a" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "infra_disks" ADD CONSTRAINT "FK_6577d5919f9d00422e10b00b33c" FOREIGN KEY ("vm_id") REFERENCES "infra_vms"("id") ON DELETE CASCADE ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "infra_disks" ADD CONSTRAINT "FK_d9e9aa46a63be8c4fef8aa35e49" FOREIGN KEY ("datastore_id") REFERENCES "infra_datastores"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "infra_networks" ADD CONSTRAINT "FK_85f3f17e1f0fd9f08a0aa87797f" FOREIGN KEY ("datacenter_id") REFERENCES "infra_datacenters"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "infra_vm_networks" ADD CONSTRAINT "FK_ca4c55f1c693c6975ebdd111664" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "infra_vm_networks" ADD CONSTRAINT "FK_4f26ea38634789aa6f985e5209c" FOREIGN KEY ("vm_id") REFERENCES "infra_vms"("id") ON DELETE CASCADE ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "infra_vm_networks" ADD CONSTRAINT "FK_755104520c93004450ddb885355" FOREIGN KEY ("network_id") REFERENCES "infra_networks"("id") ON DELETE CASCADE ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "infra_vm_networks" DROP CONSTRAINT "FK_755104520c93004450ddb885355"`);
        await queryRunner.query(`ALTER TABLE "infra_vm_networks" DROP CONSTRAINT "FK_4f26ea38634789aa6f985e5209c"`);
        await queryRunner.query(`ALTER TABLE "infra_vm_networks" DROP CONSTRAINT "FK_ca4c55f1c693c6975ebdd111664"`);
        await queryRunner.query(`ALTER TABLE "infra_networks" DROP CONSTRAINT "FK_85f3f17e1f0fd9f08a0aa87797f"`);
        await queryRunner.query(`ALTER TABLE "infra_disks" DROP CONSTRAINT "FK_d9e9aa46a63be8c4fef8aa35e49"`);
        await queryRunner.query(`ALTER TABLE "infra_disks" DROP CONSTRAINT "FK_6577d5919f9d00422e10b00b33c"`);
        await queryRunner.query(`ALTER TABLE "infra_disks" DROP CONSTRAINT "FK_12c1861217eb84bebab87f96c7a"`);
        await queryRunner.query(`ALTER TABLE "infra_datastores" DROP CONSTRAINT "FK_329657ea0c1c1f6e85c35e057f4"`);
        await queryRunner.query(`ALTER TABLE "infra_vms" DROP CONSTRAINT "FK_50d4caa96192f914ac40fa27357"`);
        await queryRunner.query(`ALTER TABLE "infra_vms" DROP CONSTRAINT "FK_be2051719d3f9bbd8112e1cbc27"`);
        await queryRunner.query(`ALTER TABLE "infra_vms" DROP CONSTRAINT "FK_43552269cb926ef1eb4174a5443"`);
        await queryRunner.query(`ALTER TABLE "infra_resource_pools" DROP CONSTRAINT "FK_e7f70d9db6ba2dee0bca1c78f94"`);
        await queryRunner.query(`ALTER TABLE "infra_resource_pools" DROP CONSTRAINT "FK_6b266948005d81659cf44e5e5f5"`);
        await queryRunner.query(`ALTER TABLE "infra_resource_pools" DROP CONSTRAINT "FK_c36fda60d7b9932d78d6c9e207f"`);
        await queryRunner.query(`ALTER TABLE "infra_folders" DROP CONSTRAINT "FK_52b95d7453acbb93761655f2cb0"`);
        await queryRunner.query(`ALTER TABLE "infra_folders" DROP CONSTRAINT "FK_64546d0a6c2713c59276ec102cb"`);
        await queryRunner.query(`ALTER TABLE "infra_hosts" DROP CONSTRAINT "FK_7d9ff1a331c34a52cdb91ee9713"`);
        await queryRunner.query(`ALTER TABLE "infra_clusters" DROP CONSTRAINT "FK_08d992f40d845c6e153db4ddf62"`);
        await queryRunner.query(`ALTER TABLE "infra_datacenters" DROP CONSTRAINT "FK_0592ba7029846fd03e265f9d8a9"`);
        await queryRunner.query(`DROP INDEX "public"."infra_networks_datacenter_idx"`);
        await queryRunner.query(`DROP INDEX "public"."infra_datastores_datacenter_idx"`);
        await queryRunner.query(`DROP INDEX "public"."infra_vms_datacenter_idx"`);
        await queryRunner.query(`DROP INDEX "public"."infra_vms_folder_idx"`);
        await queryRunner.query(`DROP INDEX "public"."infra_vms_resource_pool_idx"`);
        await queryRunner.query(`DROP INDEX "public"."infra_hosts_datacenter_idx"`);
        await queryRunner.query(`DROP INDEX "public"."infra_clusters_datacenter_idx"`);
        await queryRunner.query(`ALTER TABLE "infra_networks" DROP COLUMN "datacenter_id"`);
        await queryRunner.query(`ALTER TABLE "infra_networks" DROP COLUMN "network_type"`);
        await queryRunner.query(`ALTER TABLE "infra_datastores" DROP COLUMN "datacenter_id"`);
        await queryRunner.query(`ALTER TABLE "infra_datastores" DROP COLUMN "accessible"`);
        await queryRunner.query(`ALTER TABLE "infra_vms" DROP COLUMN "datacenter_id"`);
        await queryRunner.query(`ALTER TABLE "infra_vms" DROP COLUMN "folder_id"`);
        await queryRunner.query(`ALTER TABLE "infra_vms" DROP COLUMN "resource_pool_id"`);
        await queryRunner.query(`ALTER TABLE "infra_vms" DROP COLUMN "ip_addresses"`);
        await queryRunner.query(`ALTER TABLE "infra_vms" DROP COLUMN "template"`);
        await queryRunner.query(`ALTER TABLE "infra_hosts" DROP COLUMN "datacenter_id"`);
        await queryRunner.query(`ALTER TABLE "infra_hosts" DROP COLUMN "connection_state"`);
        await queryRunner.query(`ALTER TABLE "infra_clusters" DROP COLUMN "datacenter_id"`);
        await queryRunner.query(`DROP INDEX "public"."infra_vm_networks_pair_key"`);
        await queryRunner.query(`DROP INDEX "public"."infra_vm_networks_provider_idx"`);
        await queryRunner.query(`DROP INDEX "public"."infra_vm_networks_network_idx"`);
        await queryRunner.query(`DROP TABLE "infra_vm_networks"`);
        await queryRunner.query(`DROP INDEX "public"."infra_disks_ref_key"`);
        await queryRunner.query(`DROP INDEX "public"."infra_disks_datastore_idx"`);
        await queryRunner.query(`DROP INDEX "public"."infra_disks_vm_idx"`);
        await queryRunner.query(`DROP TABLE "infra_disks"`);
        await queryRunner.query(`DROP INDEX "public"."infra_resource_pools_ref_key"`);
        await queryRunner.query(`DROP INDEX "public"."infra_resource_pools_datacenter_idx"`);
        await queryRunner.query(`DROP INDEX "public"."infra_resource_pools_cluster_idx"`);
        await queryRunner.query(`DROP TABLE "infra_resource_pools"`);
        await queryRunner.query(`DROP INDEX "public"."infra_folders_ref_key"`);
        await queryRunner.query(`DROP INDEX "public"."infra_folders_datacenter_idx"`);
        await queryRunner.query(`DROP TABLE "infra_folders"`);
        await queryRunner.query(`DROP INDEX "public"."infra_datacenters_ref_key"`);
        await queryRunner.query(`DROP TABLE "infra_datacenters"`);
    }

}
