import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Events per provider and minute, kept by a statement trigger on event_streams (whatever inserts events: the event
 * handlers, an import), so that "events in the last hour" sums sixty rows instead of counting a storm's events on
 * every view of the overview. The last day's are counted from the events already stored.
 */
export class EventCounts1795480000000 implements MigrationInterface {
    name = 'EventCounts1795480000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "event_counts" ("provider_id" bigint NOT NULL, "minute" TIMESTAMP WITH TIME ZONE NOT NULL, "count" integer NOT NULL, CONSTRAINT "PK_3c2414104127bb21a438ee73832" PRIMARY KEY ("provider_id", "minute"))`);
        await queryRunner.query(`CREATE INDEX "event_counts_minute_idx" ON "event_counts" ("minute") `);
        await queryRunner.query(`ALTER TABLE "event_counts" ADD CONSTRAINT "FK_2c40523e47cc16783b19eea3ea8" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        // In minute order, so two batches adding to the same minutes take their row locks in one order.
        await queryRunner.query(`CREATE FUNCTION "event_counts_add"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              INSERT INTO "event_counts" ("provider_id", "minute", "count")
              SELECT "provider_id", date_trunc('minute', "timestamp"), count(*) FROM "added" GROUP BY 1, 2 ORDER BY 1, 2
              ON CONFLICT ("provider_id", "minute") DO UPDATE SET "count" = "event_counts"."count" + EXCLUDED."count";
              RETURN NULL;
            END $$`);
        await queryRunner.query(`CREATE TRIGGER "event_counts_add" AFTER INSERT ON "event_streams" REFERENCING NEW TABLE AS "added"
            FOR EACH STATEMENT EXECUTE FUNCTION "event_counts_add"()`);
        await queryRunner.query(`INSERT INTO "event_counts" ("provider_id", "minute", "count")
            SELECT "provider_id", date_trunc('minute', "timestamp"), count(*) FROM "event_streams"
             WHERE "timestamp" >= now() - interval '1 day' GROUP BY 1, 2`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "event_counts_add" ON "event_streams"`);
        await queryRunner.query(`DROP FUNCTION "event_counts_add"()`);
        await queryRunner.query(`ALTER TABLE "event_counts" DROP CONSTRAINT "FK_2c40523e47cc16783b19eea3ea8"`);
        await queryRunner.query(`DROP INDEX "public"."event_counts_minute_idx"`);
        await queryRunner.query(`DROP TABLE "event_counts"`);
    }

}
