import { Command } from 'commander';
import { CredentialsCipher } from '../../crypto/credentials-cipher';
import { UserError } from '../../errors';
import type { CliContext } from '../cli-context';

/** `fleet migrate`: brings the database schema up to date, the fleet's tables and then the provider types' (idempotent). */
export function migrateCommand(context: CliContext): Command {
  return new Command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const applied = await context.migrate();
      console.log(applied.length === 0 ? 'schema is up to date' : `applied ${applied.map((m) => m.name).join(', ')}`);
    });
}

/**
 * `fleet key generate`: prints a new credentials encryption key. `fleet key check`: says whether the configured key
 * opens every provider's stored credentials (setup runs it, so a new key against a database holding credentials sealed
 * under another is refused before any worker fails on it).
 */
export function keyCommand(context: CliContext): Command {
  const command = new Command('key').description('credentials encryption keys');
  command.command('generate')
    .description('print a new random 32-byte key for FLEET_ENCRYPTION_KEY')
    .action(() => console.log(CredentialsCipher.generateKey()));
  command.command('check')
    .description("check that the configured key opens every provider's stored credentials")
    .action(async () => {
      const store = await context.store();
      const unreadable = await store.unreadableCredentials();
      if (unreadable.length > 0) {
        throw new UserError(`the configured encryption key does not open the stored credentials of ${unreadable.length} `
          + `provider(s) (${unreadable.join(', ')}): this database was set up with another key. Use that key `
          + '(FLEET_ENCRYPTION_KEY, or the encryptionKey of the fleet.config.json that set the database up), '
          + 'or another database (DATABASE_URL)');
      }
      console.log("the encryption key opens every provider's stored credentials");
    });
  return command;
}
