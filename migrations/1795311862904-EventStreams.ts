import { MigrationInterface, QueryRunner } from "typeorm";

/** Stored provider events (event_streams): once per provider and source id, linked to the inventory objects they name. */
export class EventStreams1795311862904 implements MigrationInterface {
    name = 'EventStreams1795311862904'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "event_streams" ("id" BIGSERIAL NOT NULL, "provider_id" bigint NOT NULL, "source_id" text NOT NULL, "event_type" text NOT NULL, "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL, "message" text NOT NULL, "refs" jsonb NOT NULL DEFAULT '[]', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "cloud_vm_id" bigint, "cloud_volume_id" bigint, "infra_vm_id" bigint, "infra_host_id" bigint, "container_node_id" bigint, "container_pod_id" bigint, CONSTRAINT "PK_58a9c777323c51e32bfad87b30d" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "event_streams_timestamp_idx" ON "event_streams" ("timestamp") `);
        await queryRunner.query(`CREATE INDEX "event_streams_cloud_vm_idx" ON "event_streams" ("cloud_vm_id") `);
        await queryRunner.query(`CREATE INDEX "event_streams_cloud_volume_idx" ON "event_streams" ("cloud_volume_id") `);
        await queryRunner.query(`CREATE INDEX "event_streams_infra_vm_idx" ON "event_streams" ("infra_vm_id") `);
        await queryRunner.query(`CREATE INDEX "event_streams_infra_host_idx" ON "event_streams" ("infra_host_id") `);
        await queryRunner.query(`CREATE INDEX "event_streams_container_node_idx" ON "event_streams" ("container_node_id") `);
        await queryRunner.query(`CREATE INDEX "event_streams_container_pod_idx" ON "event_streams" ("container_pod_id") `);
        await queryRunner.query(`CREATE INDEX "event_streams_provider_time_idx" ON "event_streams" ("provider_id", "timestamp") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "event_streams_source_key" ON "event_streams" ("provider_id", "source_id") `);
        await queryRunner.query(`ALTER TABLE "event_streams" ADD CONSTRAINT "FK_af4e88cbfc4298284a0ff387e8b" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "event_streams" ADD CONSTRAINT "FK_5c961e982f7069b25495be0c77a" FOREIGN KEY ("cloud_vm_id") REFERENCES "cloud_vms"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "event_streams" ADD CONSTRAINT "FK_14a2ee5c5dea358f0d88f27cfdb" FOREIGN KEY ("cloud_volume_id") REFERENCES "cloud_volumes"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "event_streams" ADD CONSTRAINT "FK_bb68428f77688cadb25750cd363" FOREIGN KEY ("infra_vm_id") REFERENCES "infra_vms"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "event_streams" ADD CONSTRAINT "FK_4e0a157d0c32b39ee3aa9965d28" FOREIGN KEY ("infra_host_id") REFERENCES "infra_hosts"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "event_streams" ADD CONSTRAINT "FK_7ec2bf1b5afd4828e601afeb76d" FOREIGN KEY ("container_node_id") REFERENCES "container_nodes"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "event_streams" ADD CONSTRAINT "FK_5b64ba4e0f97f0697ba423f1d04" FOREIGN KEY ("container_pod_id") REFERENCES "container_pods"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "event_streams" DROP CONSTRAINT "FK_5b64ba4e0f97f0697ba423f1d04"`);
        await queryRunner.query(`ALTER TABLE "event_streams" DROP CONSTRAINT "FK_7ec2bf1b5afd4828e601afeb76d"`);
        await queryRunner.query(`ALTER TABLE "event_streams" DROP CONSTRAINT "FK_4e0a157d0c32b39ee3aa9965d28"`);
        await queryRunner.query(`ALTER TABLE "event_streams" DROP CONSTRAINT "FK_bb68428f77688cadb25750cd363"`);
        await queryRunner.query(`ALTER TABLE "event_streams" DROP CONSTRAINT "FK_14a2ee5c5dea358f0d88f27cfdb"`);
        await queryRunner.query(`ALTER TABLE "event_streams" DROP CONSTRAINT "FK_5c961e982f7069b25495be0c77a"`);
        await queryRunner.query(`ALTER TABLE "event_streams" DROP CONSTRAINT "FK_af4e88cbfc4298284a0ff387e8b"`);
        await queryRunner.query(`DROP INDEX "public"."event_streams_source_key"`);
        await queryRunner.query(`DROP INDEX "public"."event_streams_provider_time_idx"`);
        await queryRunner.query(`DROP INDEX "public"."event_streams_container_pod_idx"`);
        await queryRunner.query(`DROP INDEX "public"."event_streams_container_node_idx"`);
        await queryRunner.query(`DROP INDEX "public"."event_streams_infra_host_idx"`);
        await queryRunner.query(`DROP INDEX "public"."event_streams_infra_vm_idx"`);
        await queryRunner.query(`DROP INDEX "public"."event_streams_cloud_volume_idx"`);
        await queryRunner.query(`DROP INDEX "public"."event_streams_cloud_vm_idx"`);
        await queryRunner.query(`DROP INDEX "public"."event_streams_timestamp_idx"`);
        await queryRunner.query(`DROP TABLE "event_streams"`);
    }

}
