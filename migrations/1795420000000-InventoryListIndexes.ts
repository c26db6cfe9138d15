import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Indexes for the inventory API's lists of the tables that grow with the fleet (VMs, volumes, pods, containers):
 * sorted by name within a provider or across providers, and searched by part of the name (`q`) with a trigram
 * index where the pg_trgm extension can be had; without it, `q` still works by reading the table.
 */
export class InventoryListIndexes1795420000000 implements MigrationInterface {
    name = 'InventoryListIndexes1795420000000'

    private readonly tables = ['cloud_vms', 'cloud_volumes', 'infra_vms', 'container_pods', 'containers'];

    public async up(queryRunner: QueryRunner): Promise<void> {
        for (const table of this.tables) {
            await queryRunner.query(`CREATE INDEX "${table}_provider_name_idx" ON "${table}" ("provider_id", "name", "id") `);
            await queryRunner.query(`CREATE INDEX "${table}_name_idx" ON "${table}" ("name", "id") `);
        }
        // pg_trgm ships with PostgreSQL's contrib and is a trusted extension (the database owner may create it), but a
        // server without contrib has none: the search indexes are then left out rather than the migration failing.
        await queryRunner.query(`DO $$ BEGIN
            IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
                CREATE EXTENSION IF NOT EXISTS pg_trgm;
            END IF;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pg_trgm could not be created (%); name search will read the tables', SQLERRM;
        END $$`);
        const [{ trigrams }] = await queryRunner.query(`SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') AS trigrams`);
        if (!trigrams) return;
        for (const table of this.tables) {
            await queryRunner.query(`CREATE INDEX "${table}_name_trgm_idx" ON "${table}" USING gin ("name" gin_trgm_ops)`);
        }
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        // The extension stays: it may have been there before, and other schemas may use it.
        for (const table of [...this.tables].reverse()) {
            await queryRunner.query(`DROP INDEX IF EXISTS "public"."${table}_name_trgm_idx"`);
            await queryRunner.query(`DROP INDEX "public"."${table}_name_idx"`);
            await queryRunner.query(`DROP INDEX "public"."${table}_provider_name_idx"`);
        }
    }

}
