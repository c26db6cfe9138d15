import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The fleet's leadership generation (a fencing token: each server that takes the lead makes it one higher), and on
 * each worker row the generation whose supervisor asked for it.
 */
export class LeadershipGeneration1795510000000 implements MigrationInterface {
    name = 'LeadershipGeneration1795510000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "fleet_leadership" ("id" smallint PRIMARY KEY CHECK ("id" = 1), "generation" bigint NOT NULL, "holder" text, "acquired_at" TIMESTAMP WITH TIME ZONE)`);
        await queryRunner.query(`INSERT INTO "fleet_leadership" ("id", "generation") VALUES (1, 0)`);
        await queryRunner.query(`ALTER TABLE "workers" ADD "leader_generation" bigint`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "workers" DROP COLUMN "leader_generation"`);
        await queryRunner.query(`DROP TABLE "fleet_leadership"`);
    }

}
