import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Finds an object's events by the references they name (`refs @> '[{"collection": "vms", "emsRef": "vm-1"}]'`): the
 * events stored before the object was in the inventory, and those of collections without a link column. Written by
 * hand: TypeORM cannot declare a GIN index; the entity marks it as not synchronized.
 */
export class EventRefsIndex1795410000000 implements MigrationInterface {
    name = 'EventRefsIndex1795410000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "event_streams_refs_idx" ON "event_streams" USING gin ("refs" jsonb_path_ops)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."event_streams_refs_idx"`);
    }
}
