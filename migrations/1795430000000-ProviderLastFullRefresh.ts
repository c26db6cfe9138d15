import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * When each provider's last full refresh ran and when one last ended ok. The schedule counts from the last
 * successful full refresh: targeted and partial refreshes update `last_refresh_at` too, and counting from that let a
 * steady flow of events keep the full refresh (the only one that finds deleted objects the events missed) from
 * ever running. Existing providers take their figures from the refresh runs they have.
 */
export class ProviderLastFullRefresh1795430000000 implements MigrationInterface {
    name = 'ProviderLastFullRefresh1795430000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "providers" ADD "last_full_refresh_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "providers" ADD "last_full_refresh_success_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`UPDATE "providers" p SET
            "last_full_refresh_at" = (SELECT max(r."started_at") FROM "refresh_runs" r
              WHERE r."provider_id" = p."id" AND r."kind" = 'full' AND r."status" <> 'running'),
            "last_full_refresh_success_at" = (SELECT max(r."started_at") FROM "refresh_runs" r
              WHERE r."provider_id" = p."id" AND r."kind" = 'full' AND r."status" = 'ok')`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "providers" DROP COLUMN "last_full_refresh_success_at"`);
        await queryRunner.query(`ALTER TABLE "providers" DROP COLUMN "last_full_refresh_at"`);
    }

}
