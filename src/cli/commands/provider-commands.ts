import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { providerTypes } from '../../providers/provider-types';
import { removeProvider } from '../../server/provider-removal';
import { UserError, ValidationError } from '../../errors';
import { textTable } from '../text-table';
import type { CliContext } from '../cli-context';
import { kubeconfigSettings, type KubeconfigSettings } from '../kubeconfig-settings';

/** `fleet provider add|set|list|show|delete|types`. */
export function providerCommands(context: CliContext): Command {
  const command = new Command('provider').description('manage providers');

  command.command('add')
    .description('validate, verify and register a provider')
    .requiredOption('--type <type>', 'provider type, e.g. demo')
    .requiredOption('--name <name>', 'a unique name')
    .option('--region <region>', 'region, for types that have regions')
    .option('--zone <zone>', 'zone of the fleet that serves it', 'default')
    .option('--config <key=value>', 'a config setting (repeatable); numbers and booleans are parsed', collect, [])
    .option('--credential <key=value>', 'a credential (repeatable); prefer --credentials-file to keep secrets out of shell history', collect, [])
    .option('--credentials-file <path>', 'a JSON file holding the credentials')
    .option('--no-verify', 'store without checking the credentials against the provider')
    .option('--refresh-interval <minutes>', 'minutes between scheduled full refreshes (0: none; default: the type\'s)', intervalOption)
    .option('--kubeconfig <file>', 'kubernetes: take the server, CA and token from a kubeconfig (--config and --credential still win)')
    .option('--context <name>', 'kubernetes: the kubeconfig context to take (default: its current context)')
    .action(async (options: AddOptions) => {
      const fromKubeconfig = await kubeconfigOption(options);
      const credentials = options.credentialsFile ? readJsonFile(options.credentialsFile)
        : { ...fromKubeconfig?.credentials, ...pairs(options.credential, false) };
      const provider = await (await context.store()).create({
        type: options.type, name: options.name, region: options.region ?? null, zone: options.zone,
        config: { ...fromKubeconfig?.config, ...pairs(options.config, true) }, credentials, refreshIntervalMinutes: storedInterval(options.refreshInterval),
      }, { verify: options.verify });
      console.log(`provider ${provider.name} added with id ${provider.id}`);
    });

  command.command('set <provider>')
    .description('change how the fleet serves a provider: enabled or not, and its refresh interval')
    .option('--enable', 'serve it: a refresh worker, schedules and refreshes on demand')
    .option('--disable', 'stop serving it (its inventory stays)')
    .option('--refresh-interval <minutes>', 'minutes between scheduled full refreshes (0: none; "default": the type\'s)', intervalOption)
    .action(async (idOrName: string, options: { enable?: boolean; disable?: boolean; refreshInterval?: number | 'default' }) => {
      if (options.enable && options.disable) throw new ValidationError('give --enable or --disable, not both');
      const enabled = options.enable ? true : options.disable ? false : undefined;
      const p = await (await context.store()).updateSettings(idOrName, { enabled, refreshIntervalMinutes: storedInterval(options.refreshInterval) });
      console.log(`provider ${p.name}: ${p.enabled ? 'enabled' : 'disabled'}, refresh interval ${p.refreshIntervalMinutes === null ? 'of its type' : `${p.refreshIntervalMinutes} min`}`);
    });

  command.command('list')
    .description('list providers with their last refresh')
    .action(async () => {
      const table = textTable(['id', 'name', 'type', 'region', 'enabled', 'setup', 'last refresh', 'last success', 'last error']);
      for (const p of await (await context.store()).list()) {
        table.push([p.id, p.name, p.type, p.region ?? '', p.enabled ? 'yes' : 'no', p.setupState, iso(p.lastRefreshAt), iso(p.lastRefreshSuccessAt), truncate(p.lastRefreshError ?? '', 60)]);
      }
      console.log(table.toString());
    });

  command.command('types')
    .description('list the provider types this fleet has: the shipped ones and those of its providerTypeModules')
    .action(() => {
      const table = textTable(['type', 'title', 'manages', 'events', 'metrics', 'operations', 'from']);
      const shipped = new Set(Object.keys(providerTypes));
      for (const type of Object.values(context.types)) {
        table.push([
          type.type, type.title, type.managerKind, type.events ? 'yes' : 'no', type.metrics ? 'yes' : 'no',
          Object.keys(type.operations ?? {}).join(', '), shipped.has(type.type) ? 'shipped' : 'providerTypeModules',
        ]);
      }
      console.log(table.toString());
    });

  command.command('show <provider>')
    .description('show one provider (by id or name); credentials are never shown')
    .option('--json', 'print it as JSON')
    .action(async (idOrName: string, options: { json?: boolean }) => {
      const p = await (await context.store()).get(idOrName);
      const shown = {
        id: p.id, name: p.name, type: p.type, zone: p.zone, region: p.region, enabled: p.enabled, refreshIntervalMinutes: p.refreshIntervalMinutes, config: p.config,
        setupState: p.setupState, setupError: p.setupError, lastRefreshAt: p.lastRefreshAt, lastRefreshSuccessAt: p.lastRefreshSuccessAt,
        lastFullRefreshSuccessAt: p.lastFullRefreshSuccessAt, lastRefreshError: p.lastRefreshError, lastRefreshStats: p.lastRefreshStats,
      };
      if (options.json === true) {
        console.log(JSON.stringify(shown, null, 2));
        return;
      }
      const lines: [string, string][] = [
        ['provider', `${p.name} (id ${p.id})`],
        ['type', `${p.type}${p.region ? `, region ${p.region}` : ''}${p.zone ? `, zone ${p.zone}` : ''}`],
        ['served', p.enabled ? 'yes' : 'no (disabled)'],
        ['refresh every', p.refreshIntervalMinutes === null ? 'its type\'s interval' : p.refreshIntervalMinutes === 0 ? 'never (no schedule)' : `${p.refreshIntervalMinutes} min`],
        ['setup', p.setupError ? `${p.setupState}: ${p.setupError}` : p.setupState],
        ['last refresh', iso(p.lastRefreshAt) || 'never'],
        ['last success', iso(p.lastRefreshSuccessAt) || 'never'],
        ['last full success', iso(p.lastFullRefreshSuccessAt) || 'never'],
        ...(p.lastRefreshError ? [['last error', p.lastRefreshError] as [string, string]] : []),
        ...Object.entries(p.config).map(([key, value]): [string, string] => [`config ${key}`, typeof value === 'string' ? value : JSON.stringify(value)]),
      ];
      const width = Math.max(...lines.map(([label]) => label.length));
      console.log(lines.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n'));
    });

  command.command('delete <provider>')
    .description('delete a provider, its whole inventory and its refresh queue (asks first, unless --yes)')
    .option('-y, --yes', 'delete without asking')
    .action(async (idOrName: string, options: { yes?: boolean }) => {
      const store = await context.store();
      const found = await store.get(idOrName);
      if (options.yes !== true && !(await confirmed(`delete provider ${found.name} (id ${found.id}) with its whole inventory? [y/N] `))) {
        throw new UserError(`provider ${found.name} not deleted: ${process.stdin.isTTY ? 'not confirmed' : 'pass --yes to delete without a terminal to ask on'}`);
      }
      const provider = await removeProvider({ store, queue: await context.refreshQueue(), eventQueue: context.eventQueue() }, found.id);
      console.log(`provider ${provider.name} (id ${provider.id}) deleted`);
    });

  return command;
}

interface AddOptions {
  type: string;
  name: string;
  region?: string;
  zone: string;
  config: string[];
  credential: string[];
  credentialsFile?: string;
  verify: boolean;
  refreshInterval?: number | 'default';
  kubeconfig?: string;
  context?: string;
}

/** What --kubeconfig (and --context) give, for the kubernetes type only. */
async function kubeconfigOption(options: AddOptions): Promise<KubeconfigSettings | undefined> {
  if (options.kubeconfig === undefined) {
    if (options.context !== undefined) throw new ValidationError('--context names a context of the file given with --kubeconfig');
    return undefined;
  }
  if (options.type !== 'kubernetes') throw new ValidationError(`--kubeconfig is for the kubernetes type, not "${options.type}"`);
  return kubeconfigSettings(options.kubeconfig, options.context);
}

/** A refresh interval flag: whole minutes, or "default" for the type's interval. */
function intervalOption(value: string): number | 'default' {
  if (value === 'default') return value;
  if (!/^\d+$/.test(value)) throw new ValidationError(`refresh interval "${value}" must be whole minutes (0: none) or "default"`);
  return Number(value);
}

/** The stored form of a refresh interval flag: null takes the type's interval. */
function storedInterval(flag: number | 'default' | undefined): number | null | undefined {
  return flag === 'default' ? null : flag;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `key=value` flags into an object; dotted keys make nested objects. */
function pairs(values: string[], parseScalars: boolean): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const pair of values) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new ValidationError(`"${pair.split('=')[0]}" must be given as key=value`);
    const path = pair.slice(0, at).split('.');
    let target = result;
    for (const part of path.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
    const raw = pair.slice(at + 1);
    target[path[path.length - 1]] = parseScalars ? scalar(raw) : raw;
  }
  return result;
}

function scalar(raw: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}

function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error: unknown) {
    throw new ValidationError(`credentials file ${path} is not readable JSON`, { cause: error });
  }
}

function iso(date: Date | null): string {
  return date ? date.toISOString() : '';
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** Asks a yes/no question on the terminal; false without a terminal to ask on. */
async function confirmed(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}
