import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Utilization metrics: realtime samples (`metrics`, hourly range partitions), hourly and daily rollups
 * (`metric_rollups`, monthly partitions per interval) and each object's last capture. Written by hand: TypeORM
 * has no entities for partitioned tables. Partitions are created ahead and dropped for retention at run time.
 */
export class Metrics1795316341746 implements MigrationInterface {
    name = 'Metrics1795316341746'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "metrics" (
            "resource_type" text NOT NULL, "resource_id" bigint NOT NULL, "provider_id" bigint NOT NULL, "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL,
            "cpu_usage_percent" float8, "memory_usage_percent" float8, "disk_io_kbps" float8, "net_io_kbps" float8,
            CONSTRAINT "metrics_pkey" PRIMARY KEY ("resource_type", "resource_id", "timestamp")
        ) PARTITION BY RANGE ("timestamp")`);
        await queryRunner.query(`CREATE TABLE "metric_rollups" (
            "resource_type" text NOT NULL, "resource_id" bigint NOT NULL, "provider_id" bigint NOT NULL,
            "interval" text NOT NULL CHECK ("interval" IN ('hourly', 'daily')), "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL,
            "sample_count" integer NOT NULL,
            "cpu_usage_percent_avg" float8, "cpu_usage_percent_min" float8, "cpu_usage_percent_max" float8,
            "memory_usage_percent_avg" float8, "memory_usage_percent_min" float8, "memory_usage_percent_max" float8,
            "disk_io_kbps_avg" float8, "disk_io_kbps_min" float8, "disk_io_kbps_max" float8,
            "net_io_kbps_avg" float8, "net_io_kbps_min" float8, "net_io_kbps_max" float8,
            CONSTRAINT "metric_rollups_pkey" PRIMARY KEY ("resource_type", "resource_id", "interval", "timestamp")
        ) PARTITION BY RANGE ("interval", "timestamp")`);
        await queryRunner.query(`CREATE TABLE "metric_captures" (
            "resource_type" text NOT NULL, "resource_id" bigint NOT NULL,
            "provider_id" bigint NOT NULL REFERENCES "providers"("id") ON DELETE CASCADE,
            "captured_until" TIMESTAMP WITH TIME ZONE NOT NULL,
            CONSTRAINT "metric_captures_pkey" PRIMARY KEY ("resource_type", "resource_id")
        )`);
        await queryRunner.query(`CREATE INDEX "metric_captures_provider_idx" ON "metric_captures" ("provider_id")`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "metric_captures"`);
        await queryRunner.query(`DROP TABLE "metric_rollups"`);
        await queryRunner.query(`DROP TABLE "metrics"`);
    }
}
