import { MigrationInterface, QueryRunner } from "typeorm";

/** A provider's own scheduled refresh interval in minutes (0: none); NULL takes its type's. */

export class ProviderRefreshInterval1795308756387 implements MigrationInterface {
    name = 'ProviderRefreshInterval1795308756387'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "providers" ADD "refresh_interval_minutes" integer`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "providers" DROP COLUMN "refresh_interval_minutes"`);
    }

}
