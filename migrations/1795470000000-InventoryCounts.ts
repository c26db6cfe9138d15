import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Each provider's object counts per inventory table, state and archived or not, kept by its refresh worker: the
 * overview and the tabs read them instead of counting up to millions of rows per page view. Empty at first: each
 * refresh worker counts its provider's tables when it starts.
 */
export class InventoryCounts1795470000000 implements MigrationInterface {
    name = 'InventoryCounts1795470000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "inventory_counts" ("provider_id" bigint NOT NULL, "inventory" text NOT NULL, "state" text NOT NULL, "archived" boolean NOT NULL, "count" bigint NOT NULL, "counted_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_766f526c6bb3aede992e482f3f7" PRIMARY KEY ("provider_id", "inventory", "state", "archived"))`);
        await queryRunner.query(`ALTER TABLE "inventory_counts" ADD CONSTRAINT "FK_dcd5a41ab9f8a0f444dec7487f8" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "inventory_counts" DROP CONSTRAINT "FK_dcd5a41ab9f8a0f444dec7487f8"`);
        await queryRunner.query(`DROP TABLE "inventory_counts"`);
    }

}
