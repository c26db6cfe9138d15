import { Command } from 'commander';
import { ApiTokenStore } from '../../api/api-token-store';
import type { CliContext } from '../cli-context';
import { textTable } from '../text-table';

/** `fleet token create|list|revoke`: the HTTP API's bearer tokens. */
export function tokenCommands(context: CliContext): Command {
  const command = new Command('token').description('manage the HTTP API\'s bearer tokens');
  const tokens = async (): Promise<ApiTokenStore> => new ApiTokenStore(await context.dataSource());

  command.command('create <name>')
    .description('create a token and print it (it is stored hashed and cannot be shown again)')
    .option('--json', 'print {id, name, token} as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const { token, summary } = await (await tokens()).create(name);
      console.log(options.json ? JSON.stringify({ id: summary.id, name: summary.name, token }) : token);
    });

  command.command('list')
    .description('list tokens (never the tokens themselves)')
    .action(async () => {
      const table = textTable(['id', 'name', 'created', 'last used', 'revoked']);
      for (const t of await (await tokens()).list()) {
        table.push([t.id, t.name, t.createdAt.toISOString(), t.lastUsedAt?.toISOString() ?? '', t.revokedAt?.toISOString() ?? '']);
      }
      console.log(table.toString());
    });

  command.command('revoke <token>')
    .description('revoke a token by id or name; requests with it are refused from the next request on')
    .action(async (idOrName: string) => {
      const revoked = await (await tokens()).revoke(idOrName);
      console.log(`token ${revoked.name} (id ${revoked.id}) revoked`);
    });
  return command;
}
