import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Change history keyed by its refresh run and the change's place in it: the sequence and the indexes by id and by
 * object reference go (no query of the fleet used the reference index, and keeping the three cost a first refresh
 * more than writing the changes themselves). Existing changes keep their order within their run.
 */
export class InventoryChangesByRun1795530000000 implements MigrationInterface {
    name = 'InventoryChangesByRun1795530000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "inventory_changes" ADD "ordinal" integer`);
        await queryRunner.query(`UPDATE "inventory_changes" c SET "ordinal" = n.ordinal
            FROM (SELECT "id", row_number() OVER (PARTITION BY "refresh_run_id" ORDER BY "id") AS ordinal FROM "inventory_changes") n WHERE n."id" = c."id"`);
        await queryRunner.query(`ALTER TABLE "inventory_changes" ALTER COLUMN "ordinal" SET NOT NULL`);
        await queryRunner.query(`DROP INDEX "public"."inventory_changes_provider_ref_idx"`);
        await queryRunner.query(`DROP INDEX "public"."inventory_changes_refresh_run_idx"`);
        await queryRunner.query(`ALTER TABLE "inventory_changes" DROP CONSTRAINT "PK_85d766ffdcf72a3fc5009b10a4f"`);
        await queryRunner.query(`ALTER TABLE "inventory_changes" DROP COLUMN "id"`);
        await queryRunner.query(`ALTER TABLE "inventory_changes" ADD CONSTRAINT "PK_inventory_changes" PRIMARY KEY ("refresh_run_id", "ordinal")`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "inventory_changes" DROP CONSTRAINT "PK_inventory_changes"`);
        await queryRunner.query(`ALTER TABLE "inventory_changes" ADD "id" BIGSERIAL NOT NULL`);
        await queryRunner.query(`ALTER TABLE "inventory_changes" ADD CONSTRAINT "PK_85d766ffdcf72a3fc5009b10a4f" PRIMARY KEY ("id")`);
        await queryRunner.query(`ALTER TABLE "inventory_changes" DROP COLUMN "ordinal"`);
        await queryRunner.query(`CREATE INDEX "inventory_changes_refresh_run_idx" ON "inventory_changes" ("refresh_run_id") `);
        await queryRunner.query(`CREATE INDEX "inventory_changes_provider_ref_idx" ON "inventory_changes" ("provider_id", "collection", "ref") `);
    }

}
