import { MigrationInterface, QueryRunner } from "typeorm";

/** The host a worker process runs on, where its orchestrator runs processes on hosts (the local one does). */
export class WorkerHost1795520000000 implements MigrationInterface {
    name = 'WorkerHost1795520000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "workers" ADD "host" text`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "workers" DROP COLUMN "host"`);
    }

}
