import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Command } from 'commander';
import { ConfigError, RegistrationRefusedError, UserError, describeError } from '../errors';
import { CliContext } from './cli-context';
import { keyCommand, migrateCommand } from './commands/admin-commands';
import { demoCloudCommand } from './commands/demo-cloud-command';
import { eventsCommand } from './commands/events-command';
import { generateCommand } from './commands/generate-command';
import { metricsCommand } from './commands/metrics-command';
import { providerCommands } from './commands/provider-commands';
import { refreshCommand } from './commands/refresh-command';
import { startDemoCommand } from './commands/start-demo-command';
import { serverCommand } from './commands/server-command';
import { tokenCommands } from './commands/token-commands';
import { workerCommand } from './commands/worker-command';
import { opCommand } from './commands/op-command';
import { tasksCommand } from './commands/tasks-command';
import { workersCommand } from './commands/workers-command';

/**
 * A refresh holds a provider's whole inventory for a while. V8's default lets the heap grow to several times what
 * is alive before collecting (a 230 MB live set peaked at 570 MB of RSS); growing by half keeps a large refresh
 * near its live set for a few percent more GC time. Read at every collection, so setting it here takes effect.
 */
const HEAP_GROWING_PERCENT = 50;

/** The fleet's version, as its package says (this file runs from dist/src/cli). */
function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
  return typeof manifest === 'object' && manifest !== null && 'version' in manifest && typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/** The `fleet` executable: one entry point, the role taken from the arguments. */
export async function main(argv: string[]): Promise<void> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const program = new Command('fleet')
    .description('provider-fleet: keeps the inventory of providers in PostgreSQL')
    .version(packageVersion(), '-V, --version', 'print the fleet\'s version')
    .option('--config-file <path>', 'JSON config file (default: FLEET_CONFIG or ./fleet.config.json)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL)')
    .option('--redis-url <url>', 'Redis URL (REDIS_URL)')
    .option('--log-level <level>', 'log level (LOG_LEVEL)')
    .option('--log-format <format>', 'auto (human lines on a terminal, JSON otherwise), json or pretty (LOG_FORMAT)')
    .showHelpAfterError();
  const context = new CliContext(() => {
    const options = program.opts<{ configFile?: string; databaseUrl?: string; redisUrl?: string; logLevel?: string; logFormat?: string }>();
    return {
      configFile: options.configFile,
      flags: { databaseUrl: options.databaseUrl, redisUrl: options.redisUrl, logLevel: options.logLevel, logFormat: options.logFormat },
    };
  });
  program
    .addCommand(providerCommands(context))
    .addCommand(refreshCommand(context))
    .addCommand(migrateCommand(context))
    .addCommand(keyCommand(context))
    .addCommand(demoCloudCommand())
    .addCommand(startDemoCommand(context))
    .addCommand(workerCommand(context))
    .addCommand(serverCommand(context))
    .addCommand(workersCommand(context))
    .addCommand(eventsCommand(context))
    .addCommand(metricsCommand(context))
    .addCommand(opCommand(context))
    .addCommand(tasksCommand(context))
    .addCommand(tokenCommands(context))
    .addCommand(generateCommand(context));

  try {
    await program.parseAsync(argv);
  } catch (error: unknown) {
    process.exitCode = error instanceof ConfigError ? 2 : 1;
    if (error instanceof ConfigError || error instanceof UserError || error instanceof RegistrationRefusedError) {
      console.error(`error: ${error.message}`);
    } else {
      console.error(`error: ${describeError(error)}`);
      if (process.env.FLEET_DEBUG) console.error(error);
    }
  } finally {
    await context.close();
  }
}

if (require.main === module) void main(process.argv);
