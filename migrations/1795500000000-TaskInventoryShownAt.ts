import { MigrationInterface, QueryRunner } from "typeorm";

/** When a succeeded operation's outcome showed in the inventory, and the index each refresh finds those waiting by. */
export class TaskInventoryShownAt1795500000000 implements MigrationInterface {
    name = 'TaskInventoryShownAt1795500000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "tasks" ADD "inventory_shown_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`CREATE INDEX "tasks_awaiting_inventory_idx" ON "tasks" ("provider_id") WHERE state = 'succeeded' AND inventory_shown_at IS NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."tasks_awaiting_inventory_idx"`);
        await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "inventory_shown_at"`);
    }

}
