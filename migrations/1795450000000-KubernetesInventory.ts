import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The Kubernetes inventory: deployments, replica sets, persistent volumes and their claims (with the claims each pod
 * mounts) as tables of their own; on the existing container tables, the fields operators filter on (labels, a node's
 * allocatable resources and internal IP, a pod's host IP and replica set, a container's readiness) and the namespace
 * name beside the namespace reference, which names an object (`namespace/name`) without a join.
 */
export class KubernetesInventory1795450000000 implements MigrationInterface {
    name = 'KubernetesInventory1795450000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "container_deployments" ("id" BIGSERIAL NOT NULL, "provider_id" bigint NOT NULL, "content_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ems_ref" text NOT NULL, "uid_ems" text, "name" text, "raw" jsonb, "archived_at" TIMESTAMP WITH TIME ZONE, "namespace_name" text, "replicas" integer, "ready_replicas" integer, "available_replicas" integer, "updated_replicas" integer, "selector" jsonb, "labels" jsonb, "namespace_id" bigint, CONSTRAINT "PK_849b28578dacc8955cd828e235c" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "container_deployments_namespace_idx" ON "container_deployments" ("namespace_id") `);
        await queryRunner.query(`CREATE INDEX "container_deployments_provider_name_idx" ON "container_deployments" ("provider_id", "namespace_name", "name") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "container_deployments_ref_key" ON "container_deployments" ("provider_id", "ems_ref") `);
        await queryRunner.query(`CREATE TABLE "container_replica_sets" ("id" BIGSERIAL NOT NULL, "provider_id" bigint NOT NULL, "content_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ems_ref" text NOT NULL, "uid_ems" text, "name" text, "raw" jsonb, "archived_at" TIMESTAMP WITH TIME ZONE, "namespace_name" text, "replicas" integer, "ready_replicas" integer, "available_replicas" integer, "labels" jsonb, "namespace_id" bigint, "deployment_id" bigint, CONSTRAINT "PK_12d71844e8928c54561c74ea253" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "container_replica_sets_namespace_idx" ON "container_replica_sets" ("namespace_id") `);
        await queryRunner.query(`CREATE INDEX "container_replica_sets_deployment_idx" ON "container_replica_sets" ("deployment_id") `);
        await queryRunner.query(`CREATE INDEX "container_replica_sets_provider_name_idx" ON "container_replica_sets" ("provider_id", "namespace_name", "name") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "container_replica_sets_ref_key" ON "container_replica_sets" ("provider_id", "ems_ref") `);
        await queryRunner.query(`CREATE TABLE "container_persistent_volumes" ("id" BIGSERIAL NOT NULL, "provider_id" bigint NOT NULL, "content_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ems_ref" text NOT NULL, "uid_ems" text, "name" text, "raw" jsonb, "archived_at" TIMESTAMP WITH TIME ZONE, "phase" text, "capacity_bytes" bigint, "access_modes" jsonb, "storage_class" text, "reclaim_policy" text, "labels" jsonb, CONSTRAINT "PK_42754a9d2b652284e9c3a0cdde9" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "container_persistent_volumes_provider_name_idx" ON "container_persistent_volumes" ("provider_id", "name") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "container_persistent_volumes_ref_key" ON "container_persistent_volumes" ("provider_id", "ems_ref") `);
        await queryRunner.query(`CREATE TABLE "container_persistent_volume_claims" ("id" BIGSERIAL NOT NULL, "provider_id" bigint NOT NULL, "content_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ems_ref" text NOT NULL, "uid_ems" text, "name" text, "raw" jsonb, "archived_at" TIMESTAMP WITH TIME ZONE, "namespace_name" text, "phase" text, "requested_bytes" bigint, "capacity_bytes" bigint, "access_modes" jsonb, "storage_class" text, "labels" jsonb, "namespace_id" bigint, "persistent_volume_id" bigint, CONSTRAINT "PK_fe4978f03888312dfad32566345" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "container_persistent_volume_claims_namespace_idx" ON "container_persistent_volume_claims" ("namespace_id") `);
        await queryRunner.query(`CREATE INDEX "container_persistent_volume_claims_volume_idx" ON "container_persistent_volume_claims" ("persistent_volume_id") `);
        await queryRunner.query(`CREATE INDEX "container_persistent_volume_claims_provider_name_idx" ON "container_persistent_volume_claims" ("provider_id", "namespace_name", "name") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "container_persistent_volume_claims_ref_key" ON "container_persistent_volume_claims" ("provider_id", "ems_ref") `);
        await queryRunner.query(`CREATE TABLE "container_pod_volume_claims" ("id" BIGSERIAL NOT NULL, "provider_id" bigint NOT NULL, "content_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "pod_id" bigint NOT NULL, "persistent_volume_claim_id" bigint NOT NULL, CONSTRAINT "PK_18c467993989af691eea9368211" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "container_pod_volume_claims_claim_idx" ON "container_pod_volume_claims" ("persistent_volume_claim_id") `);
        await queryRunner.query(`CREATE INDEX "container_pod_volume_claims_provider_idx" ON "container_pod_volume_claims" ("provider_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "container_pod_volume_claims_pair_key" ON "container_pod_volume_claims" ("pod_id", "persistent_volume_claim_id") `);
        await queryRunner.query(`ALTER TABLE "container_nodes" ADD "allocatable_cpu_millicores" integer`);
        await queryRunner.query(`ALTER TABLE "container_nodes" ADD "allocatable_memory_bytes" bigint`);
        await queryRunner.query(`ALTER TABLE "container_nodes" ADD "max_pods" integer`);
        await queryRunner.query(`ALTER TABLE "container_nodes" ADD "internal_ip" text`);
        await queryRunner.query(`ALTER TABLE "container_nodes" ADD "unschedulable" boolean`);
        await queryRunner.query(`ALTER TABLE "container_nodes" ADD "labels" jsonb`);
        await queryRunner.query(`ALTER TABLE "container_namespaces" ADD "labels" jsonb`);
        await queryRunner.query(`ALTER TABLE "container_pods" ADD "namespace_name" text`);
        await queryRunner.query(`ALTER TABLE "container_pods" ADD "host_ip" text`);
        await queryRunner.query(`ALTER TABLE "container_pods" ADD "started_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "container_pods" ADD "restart_policy" text`);
        await queryRunner.query(`ALTER TABLE "container_pods" ADD "replica_set_id" bigint`);
        await queryRunner.query(`ALTER TABLE "containers" ADD "ready" boolean`);
        await queryRunner.query(`ALTER TABLE "containers" ADD "state_reason" text`);
        await queryRunner.query(`ALTER TABLE "containers" ADD "container_id" text`);
        await queryRunner.query(`ALTER TABLE "container_services" ADD "namespace_name" text`);
        await queryRunner.query(`ALTER TABLE "container_services" ADD "ports" jsonb`);
        await queryRunner.query(`ALTER TABLE "container_services" ADD "labels" jsonb`);
        await queryRunner.query(`CREATE INDEX "container_nodes_provider_name_idx" ON "container_nodes" ("provider_id", "name") `);
        await queryRunner.query(`CREATE INDEX "container_namespaces_provider_name_idx" ON "container_namespaces" ("provider_id", "name") `);
        await queryRunner.query(`CREATE INDEX "container_pods_replica_set_idx" ON "container_pods" ("replica_set_id") `);
        await queryRunner.query(`CREATE INDEX "container_pods_provider_namespace_name_idx" ON "container_pods" ("provider_id", "namespace_name", "name") `);
        await queryRunner.query(`CREATE INDEX "container_services_provider_name_idx" ON "container_services" ("provider_id", "namespace_name", "name") `);
        await queryRunner.query(`ALTER TABLE "container_deployments" ADD CONSTRAINT "FK_75476735643216e25eb636dcd7f" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "container_deployments" ADD CONSTRAINT "FK_b934a67201aac786be1dc65bb17" FOREIGN KEY ("namespace_id") REFERENCES "container_namespaces"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "container_replica_sets" ADD CONSTRAINT "FK_27692b77ee6ef50fb1576046302" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "container_replica_sets" ADD CONSTRAINT "FK_2849cc763f6bce68f52747e6368" FOREIGN KEY ("namespace_id") REFERENCES "container_namespaces"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "container_replica_sets" ADD CONSTRAINT "FK_cc5d92a20401653dbd3963c974b" FOREIGN KEY ("deployment_id") REFERENCES "container_deployments"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "container_pods" ADD CONSTRAINT "FK_c44be265086f7f80815851309cd" FOREIGN KEY ("replica_set_id") REFERENCES "container_replica_sets"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "container_persistent_volumes" ADD CONSTRAINT "FK_7df116d7e6e08633c8538750c93" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "container_persistent_volume_claims" ADD CONSTRAINT "FK_b67fe82e80c9f7439732b464ce0" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "container_persistent_volume_claims" ADD CONSTRAINT "FK_1dc24516c6d49ad16e7997bd81b" FOREIGN KEY ("namespace_id") REFERENCES "container_namespaces"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "container_persistent_volume_claims" ADD CONSTRAINT "FK_567a31493646381917815602c52" FOREIGN KEY ("persistent_volume_id") REFERENCES "container_persistent_volumes"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "container_pod_volume_claims" ADD CONSTRAINT "FK_93bf0cd81fe1e31de43d6403742" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "container_pod_volume_claims" ADD CONSTRAINT "FK_80dee60b81dc726adcd320310c4" FOREIGN KEY ("pod_id") REFERENCES "container_pods"("id") ON DELETE CASCADE ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
        await queryRunner.query(`ALTER TABLE "container_pod_volume_claims" ADD CONSTRAINT "FK_91029e7f50bd00474fecb31ba8e" FOREIGN KEY ("persistent_volume_claim_id") REFERENCES "container_persistent_volume_claims"("id") ON DELETE CASCADE ON UPDATE NO ACTION DEFERRABLE INITIALLY IMMEDIATE`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "container_pod_volume_claims" DROP CONSTRAINT "FK_91029e7f50bd00474fecb31ba8e"`);
        await queryRunner.query(`ALTER TABLE "container_pod_volume_claims" DROP CONSTRAINT "FK_80dee60b81dc726adcd320310c4"`);
        await queryRunner.query(`ALTER TABLE "container_pod_volume_claims" DROP CONSTRAINT "FK_93bf0cd81fe1e31de43d6403742"`);
        await queryRunner.query(`ALTER TABLE "container_persistent_volume_claims" DROP CONSTRAINT "FK_567a31493646381917815602c52"`);
        await queryRunner.query(`ALTER TABLE "container_persistent_volume_claims" DROP CONSTRAINT "FK_1dc24516c6d49ad16e7997bd81b"`);
        await queryRunner.query(`ALTER TABLE "container_persistent_volume_claims" DROP CONSTRAINT "FK_b67fe82e80c9f7439732b464ce0"`);
        await queryRunner.query(`ALTER TABLE "container_persistent_volumes" DROP CONSTRAINT "FK_7df116d7e6e08633c8538750c93"`);
        await queryRunner.query(`ALTER TABLE "container_pods" DROP CONSTRAINT "FK_c44be265086f7f80815851309cd"`);
        await queryRunner.query(`ALTER TABLE "container_replica_sets" DROP CONSTRAINT "FK_cc5d92a20401653dbd3963c974b"`);
        await queryRunner.query(`ALTER TABLE "container_replica_sets" DROP CONSTRAINT "FK_2849cc763f6bce68f52747e6368"`);
        await queryRunner.query(`ALTER TABLE "container_replica_sets" DROP CONSTRAINT "FK_27692b77ee6ef50fb1576046302"`);
        await queryRunner.query(`ALTER TABLE "container_deployments" DROP CONSTRAINT "FK_b934a67201aac786be1dc65bb17"`);
        await queryRunner.query(`ALTER TABLE "container_deployments" DROP CONSTRAINT "FK_75476735643216e25eb636dcd7f"`);
        await queryRunner.query(`DROP INDEX "public"."container_services_provider_name_idx"`);
        await queryRunner.query(`DROP INDEX "public"."container_pods_provider_namespace_name_idx"`);
        await queryRunner.query(`DROP INDEX "public"."container_pods_replica_set_idx"`);
        await queryRunner.query(`DROP INDEX "public"."container_namespaces_provider_name_idx"`);
        await queryRunner.query(`DROP INDEX "public"."container_nodes_provider_name_idx"`);
        await queryRunner.query(`ALTER TABLE "container_services" DROP COLUMN "labels"`);
        await queryRunner.query(`ALTER TABLE "container_services" DROP COLUMN "ports"`);
        await queryRunner.query(`ALTER TABLE "container_services" DROP COLUMN "namespace_name"`);
        await queryRunner.query(`ALTER TABLE "containers" DROP COLUMN "container_id"`);
        await queryRunner.query(`ALTER TABLE "containers" DROP COLUMN "state_reason"`);
        await queryRunner.query(`ALTER TABLE "containers" DROP COLUMN "ready"`);
        await queryRunner.query(`ALTER TABLE "container_pods" DROP COLUMN "replica_set_id"`);
        await queryRunner.query(`ALTER TABLE "container_pods" DROP COLUMN "restart_policy"`);
        await queryRunner.query(`ALTER TABLE "container_pods" DROP COLUMN "started_at"`);
        await queryRunner.query(`ALTER TABLE "container_pods" DROP COLUMN "host_ip"`);
        await queryRunner.query(`ALTER TABLE "container_pods" DROP COLUMN "namespace_name"`);
        await queryRunner.query(`ALTER TABLE "container_namespaces" DROP COLUMN "labels"`);
        await queryRunner.query(`ALTER TABLE "container_nodes" DROP COLUMN "labels"`);
        await queryRunner.query(`ALTER TABLE "container_nodes" DROP COLUMN "unschedulable"`);
        await queryRunner.query(`ALTER TABLE "container_nodes" DROP COLUMN "internal_ip"`);
        await queryRunner.query(`ALTER TABLE "container_nodes" DROP COLUMN "max_pods"`);
        await queryRunner.query(`ALTER TABLE "container_nodes" DROP COLUMN "allocatable_memory_bytes"`);
        await queryRunner.query(`ALTER TABLE "container_nodes" DROP COLUMN "allocatable_cpu_millicores"`);
        await queryRunner.query(`DROP INDEX "public"."container_pod_volume_claims_pair_key"`);
        await queryRunner.query(`DROP INDEX "public"."container_pod_volume_claims_provider_idx"`);
        await queryRunner.query(`DROP INDEX "public"."container_pod_volume_claims_claim_idx"`);
        await queryRunner.query(`DROP TABLE "container_pod_volume_claims"`);
        await queryRunner.query(`DROP INDEX "public"."container_persistent_volume_claims_ref_key"`);
        await queryRunner.query(`DROP INDEX "public"."container_persistent_volume_claims_provider_name_idx"`);
        await queryRunner.query(`DROP INDEX "public"."container_persistent_volume_claims_volume_idx"`);
        await queryRunner.query(`DROP INDEX "public"."container_persistent_volume_claims_namespace_idx"`);
        await queryRunner.query(`DROP TABLE "container_persistent_volume_claims"`);
        await queryRunner.query(`DROP INDEX "public"."container_persistent_volumes_ref_key"`);
        await queryRunner.query(`DROP INDEX "public"."container_persistent_volumes_provider_name_idx"`);
        await queryRunner.query(`DROP TABLE "container_persistent_volumes"`);
        await queryRunner.query(`DROP INDEX "public"."container_replica_sets_ref_key"`);
        await queryRunner.query(`DROP INDEX "public"."container_replica_sets_provider_name_idx"`);
        await queryRunner.query(`DROP INDEX "public"."container_replica_sets_deployment_idx"`);
        await queryRunner.query(`DROP INDEX "public"."container_replica_sets_namespace_idx"`);
        await queryRunner.query(`DROP TABLE "container_replica_sets"`);
        await queryRunner.query(`DROP INDEX "public"."container_deployments_ref_key"`);
        await queryRunner.query(`DROP INDEX "public"."container_deployments_provider_name_idx"`);
        await queryRunner.query(`DROP INDEX "public"."container_deployments_namespace_idx"`);
        await queryRunner.query(`DROP TABLE "container_deployments"`);
    }

}
