import { MigrationInterface, QueryRunner } from "typeorm";

/** Bearer tokens of the HTTP API, stored as their SHA-256 only. */
export class ApiTokens1795400000000 implements MigrationInterface {
    name = 'ApiTokens1795400000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "api_tokens" ("id" BIGSERIAL NOT NULL, "name" text NOT NULL, "token_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_api_tokens" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "api_tokens_name_key" ON "api_tokens" ("name") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens" ("token_hash") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "api_tokens"`);
    }

}
