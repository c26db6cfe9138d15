import { MigrationInterface, QueryRunner } from "typeorm";

/** Cloud hosts (cloud_hosts, the hypervisors VMs run on) and each VM's host (cloud_vms.host_id). */
export class CloudHosts1795316500170 implements MigrationInterface {
    name = 'CloudHosts1795316500170'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "cloud_hosts" ("id" BIGSERIAL NOT NULL, "provider_id" bigint NOT NULL, "content_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ems_ref" text NOT NULL, "uid_ems" text, "name" text, "raw" jsonb, "archived_at" TIMESTAMP WITH TIME ZONE, "cpu_cores" integer, "memory_mb" integer, "availability_zone_id" bigint, CONSTRAINT "PK_828825d1ab993fcc4df94e95a2e" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "cloud_hosts_availability_zone_idx" ON "cloud_hosts" ("availability_zone_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "cloud_hosts_ref_key" ON "cloud_hosts" ("provider_id", "ems_ref") `);
        await queryRunner.query(`ALTER TABLE "cloud_vms" ADD "host_id" bigint`);
        await queryRunner.query(`CREATE INDEX "cloud_vms_host_idx" ON "cloud_vms" ("host_id") `);
        await queryRunner.query(`ALTER TABLE "cloud_hosts" ADD CONSTRAINT "FK_fc7f4e9a409feaebdb557cca683" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "cloud_hosts" ADD CONSTRAINT "FK_75f1ab2c581958e03333073275d" FOREIGN KEY ("availability_zone_id") REFERENCES "cloud_availability_zones"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "cloud_vms" ADD CONSTRAINT "FK_831c3751cc3d6c20c52aa2ad378" FOREIGN KEY ("host_id") REFERENCES "cloud_hosts"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "cloud_vms" DROP CONSTRAINT "FK_831c3751cc3d6c20c52aa2ad378"`);
        await queryRunner.query(`ALTER TABLE "cloud_hosts" DROP CONSTRAINT "FK_75f1ab2c581958e03333073275d"`);
        await queryRunner.query(`ALTER TABLE "cloud_hosts" DROP CONSTRAINT "FK_fc7f4e9a409feaebdb557cca683"`);
        await queryRunner.query(`DROP INDEX "public"."cloud_vms_host_idx"`);
        await queryRunner.query(`ALTER TABLE "cloud_vms" DROP COLUMN "host_id"`);
        await queryRunner.query(`DROP INDEX "public"."cloud_hosts_ref_key"`);
        await queryRunner.query(`DROP INDEX "public"."cloud_hosts_availability_zone_idx"`);
        await queryRunner.query(`DROP TABLE "cloud_hosts"`);
    }

}
