import { MigrationInterface, QueryRunner } from "typeorm";

/** Operations asked of providers on their objects, each a row from its request to its end (see the Task entity). */
export class Tasks1795490000000 implements MigrationInterface {
    name = 'Tasks1795490000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "tasks" ("id" BIGSERIAL NOT NULL, "provider_id" bigint NOT NULL, "operation" text NOT NULL, "inventory" text NOT NULL, "object_id" bigint NOT NULL, "object_ref" text NOT NULL, "parameters" jsonb NOT NULL DEFAULT '{}', "requested_by" text NOT NULL, "priority" integer NOT NULL, "timeout_seconds" integer NOT NULL, "state" text NOT NULL DEFAULT 'queued', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "result" jsonb, "error" text, CONSTRAINT "PK_8d12ff38fcc62aaba2cab748772" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "tasks_state_idx" ON "tasks" ("state") `);
        await queryRunner.query(`CREATE INDEX "tasks_provider_idx" ON "tasks" ("provider_id", "id") `);
        await queryRunner.query(`ALTER TABLE "tasks" ADD CONSTRAINT "FK_ad6f88f7fba523268f707a2de47" FOREIGN KEY ("provider_id") REFERENCES "providers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "tasks" DROP CONSTRAINT "FK_ad6f88f7fba523268f707a2de47"`);
        await queryRunner.query(`DROP INDEX "public"."tasks_provider_idx"`);
        await queryRunner.query(`DROP INDEX "public"."tasks_state_idx"`);
        await queryRunner.query(`DROP TABLE "tasks"`);
    }

}
