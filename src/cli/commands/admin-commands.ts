import { Command } from 'commander';
import { CredentialsCipher } from '../../crypto/credentials-cipher';
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

/** `fleet key generate`: prints a new credentials encryption key. */
export function keyCommand(): Command {
  const command = new Command('key').description('credentials encryption keys');
  command.command('generate')
    .description('print a new random 32-byte key for FLEET_ENCRYPTION_KEY')
    .action(() => console.log(CredentialsCipher.generateKey()));
  return command;
}
