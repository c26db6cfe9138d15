import { Command } from 'commander';
import { generateProvider } from '../../generator/provider-generator';
import { MANAGER_KINDS } from '../../generator/manager-kinds';
import { ConfigError } from '../../errors';
import { providerTypes } from '../../providers/provider-types';
import type { CliContext } from '../cli-context';

/** `fleet generate provider NAME --manager-type KIND`: a provider package for a type of one's own, ready to build. */
export function generateCommand(context: CliContext): Command {
  const provider = new Command('provider')
    .description('write a provider package for a new type: its type, connection, collector, parser and inventory, ready to build and load')
    .argument('<name>', 'the type\'s name (lowercase words joined by hyphens, e.g. awesome-cloud)')
    .requiredOption('--manager-type <kind>', `what it manages: ${MANAGER_KINDS.join(', ')}`)
    .option('--path <dir>', 'where the package goes (default ./providers/NAME)')
    .option('--no-events', 'without an event stream')
    .option('--no-metrics', 'without metrics')
    .option('--no-cassettes', 'without the test suite and the cassettes it replays')
    .action((name: string, options: { managerType: string; path?: string; events: boolean; metrics: boolean; cassettes: boolean }) => {
      const { directory, files } = generateProvider({
        name, managerType: options.managerType, path: options.path, events: options.events, metrics: options.metrics, cassettes: options.cassettes,
        knownTypes: knownTypes(context), cwd: process.cwd(),
      });
      console.log(`wrote ${directory}:`);
      for (const file of files) console.log(`  ${file}`);
      console.log(`next: cd ${directory} && npm install && ${options.cassettes ? 'npm test' : 'npm run build'}, then add ${directory}/dist/src/index.js to providerTypeModules`);
    });
  return new Command('generate').description('generate code for the fleet').addCommand(provider);
}

/**
 * The fleet's types: the shipped ones and, where the fleet is configured here, its provider type modules' (a package
 * may be generated before any fleet is set up, so a missing configuration is no error here).
 */
function knownTypes(context: CliContext): string[] {
  try {
    return Object.keys(context.types);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return Object.keys(providerTypes);
    throw error;
  }
}
