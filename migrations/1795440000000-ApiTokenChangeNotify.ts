import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Every revocation or deletion of an API token, by whatever process or statement, is notified on the channel
 * `api_tokens_changed`: API servers keep the tokens they accepted and forget them all when it fires, so a revocation
 * holds at once on every server without a lookup per request.
 */
export class ApiTokenChangeNotify1795440000000 implements MigrationInterface {
    name = 'ApiTokenChangeNotify1795440000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE FUNCTION "api_tokens_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              PERFORM pg_notify('api_tokens_changed', '');
              RETURN NULL;
            END $$`);
        await queryRunner.query(`CREATE TRIGGER "api_tokens_changed" AFTER UPDATE OF "revoked_at", "token_hash" OR DELETE OR TRUNCATE
            ON "api_tokens" FOR EACH STATEMENT EXECUTE FUNCTION "api_tokens_notify_change"()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "api_tokens_changed" ON "api_tokens"`);
        await queryRunner.query(`DROP FUNCTION "api_tokens_notify_change"()`);
    }

}
