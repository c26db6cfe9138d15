import Table from 'cli-table3';
import { Command, Option } from 'commander';
import type { DataSource } from 'typeorm';
import { NotFoundError, ValidationError } from '../../errors';
import { METRIC_COUNTERS, type MetricCounter } from '../../providers/provider-metrics';
import type { ProviderStore } from '../../providers/provider-store';
import { metricHierarchy, PROVIDER_RESOURCE } from '../../workers/metrics/metric-hierarchy';
import { ROLLUP_COLUMNS } from '../../workers/metrics/rollup-sql';
import { ident } from '../../workers/refresh/save/sql';
import type { CliContext } from '../cli-context';
import { sparkline } from '../text-chart';
import { parseSince } from './events-command';
import { toInt } from './demo-cloud-command';

type MetricsInterval = 'realtime' | 'hourly' | 'daily';

interface MetricsOptions {
  provider?: string;
  interval?: MetricsInterval;
  since?: string;
  limit: number;
  json?: boolean;
}

/** An object with metrics: an inventory object of a metric kind, or a provider. */
interface MetricsObject {
  resourceType: string;
  resourceId: string;
  title: string;
}

const COUNTER_TITLES: Readonly<Record<MetricCounter, string>> = {
  cpu_usage_percent: 'cpu %', memory_usage_percent: 'memory %', disk_io_kbps: 'disk kB/s', net_io_kbps: 'net kB/s',
};
/** How far back each interval looks by default. */
const DEFAULT_SINCE: Readonly<Record<MetricsInterval, string>> = { realtime: '1h', hourly: '24h', daily: '30d' };
const CHART_WIDTH = 60;

/**
 * `fleet metrics <object>`: an object's realtime samples or hourly/daily rollups as a table of the newest rows
 * and a one-line chart per counter over the whole window. The object is an inventory object of a kind with
 * metrics, by reference or name (e.g. vm-0000001), or a provider, by name or id.
 */
export function metricsCommand(context: CliContext): Command {
  return new Command('metrics')
    .description('show an object\'s utilization: realtime samples, or hourly or daily rollups')
    .argument('<object>', 'a VM, host ... by reference or name (e.g. vm-0000001), or a provider by name or id')
    .option('--provider <id|name>', 'look for the object in this provider only')
    .addOption(new Option('--interval <interval>', 'realtime samples, or hourly or daily rollups (default: realtime, hourly for a provider)')
      .choices(['realtime', 'hourly', 'daily']))
    .option('--since <time>', 'from a time: an ISO 8601 time, or an age such as 30m, 6h, 2d (default: 1h, 24h, 30d by interval)')
    .option('--limit <n>', 'at most this many rows in the table (the newest); the chart covers the whole window', toInt, 30)
    .option('--json', 'print JSON instead of a table')
    .action(async (name: string, options: MetricsOptions) => {
      const dataSource = await context.dataSource();
      const object = await findObject(dataSource, await context.store(), name, options.provider);
      const isProvider = object.resourceType === PROVIDER_RESOURCE;
      const interval = options.interval ?? (isProvider ? 'hourly' : 'realtime');
      if (isProvider && interval === 'realtime') throw new ValidationError('a provider has rollups only: use --interval hourly or daily');
      const since = parseSince(options.since ?? DEFAULT_SINCE[interval]);
      const rows = await readMetrics(dataSource, object, interval, since);
      if (options.json) {
        console.log(JSON.stringify({ object: object.title, interval, rows }, null, 2));
        return;
      }
      console.log(`${object.title}, ${interval} since ${since.toISOString()}`);
      if (rows.length === 0) {
        console.log('no metrics in this window');
        return;
      }
      const rollup = interval !== 'realtime';
      const table = new Table({ head: ['time', ...METRIC_COUNTERS.map((c) => (rollup ? `${COUNTER_TITLES[c]} avg (min-max)` : COUNTER_TITLES[c])), ...(rollup ? ['samples'] : [])] });
      for (const row of rows.slice(-options.limit)) {
        table.push([
          row.timestamp,
          ...METRIC_COUNTERS.map((c) => (rollup ? `${fmt(row[`${c}_avg`])} (${fmt(row[`${c}_min`])}-${fmt(row[`${c}_max`])})` : fmt(row[c]))),
          ...(rollup ? [String(row.sample_count)] : []),
        ]);
      }
      console.log(table.toString());
      for (const counter of METRIC_COUNTERS) {
        const values = rows.map((row) => row[rollup ? `${counter}_avg` : counter]).filter((v): v is number => typeof v === 'number');
        if (values.length > 0) console.log(`${COUNTER_TITLES[counter].padEnd(10)} ${sparkline(values, CHART_WIDTH)}  ${fmt(Math.min(...values))} .. ${fmt(Math.max(...values))}`);
      }
    });
}

function fmt(value: unknown): string {
  return typeof value === 'number' ? String(Math.round(value * 100) / 100) : '-';
}

/** The object named: inventory objects of metric kinds first (by ems_ref or name), then providers. */
async function findObject(dataSource: DataSource, store: ProviderStore, name: string, providerName: string | undefined): Promise<MetricsObject> {
  const providers = providerName === undefined ? await store.list() : [await store.get(providerName)];
  const found: MetricsObject[] = [];
  for (const provider of providers) {
    const hierarchy = metricHierarchy(dataSource, store.typeOf(provider.type));
    for (const level of hierarchy.levels) {
      const rows: { id: string; ems_ref: string }[] = await dataSource.query(
        `SELECT id::text AS id, ems_ref FROM ${ident(level.table)} WHERE provider_id = $1 AND (ems_ref = $2 OR name = $2) LIMIT 2`,
        [provider.id, name],
      );
      found.push(...rows.map((row) => ({ resourceType: level.table, resourceId: row.id, title: `${level.collection}/${row.ems_ref} of ${provider.name}` })));
    }
  }
  if (found.length > 1) throw new ValidationError(`"${name}" names several objects (${found.map((o) => o.title).join(', ')}): use --provider or the reference`);
  if (found.length === 1) return found[0];
  const provider = providerName === undefined ? providers.find((p) => p.name === name || p.id === name) : undefined;
  if (provider) return { resourceType: PROVIDER_RESOURCE, resourceId: provider.id, title: `provider ${provider.name}` };
  throw new NotFoundError(`no object with metrics named "${name}"${providerName === undefined ? '' : ` in provider ${providerName}`}`);
}

type MetricsRow = Record<string, unknown> & { timestamp: string };

async function readMetrics(dataSource: DataSource, object: MetricsObject, interval: MetricsInterval, since: Date): Promise<MetricsRow[]> {
  const rollup = interval !== 'realtime';
  const columns = rollup ? `sample_count, ${ROLLUP_COLUMNS.join(', ')}` : METRIC_COUNTERS.join(', ');
  const rows: (Record<string, unknown> & { timestamp: Date })[] = await dataSource.query(
    `SELECT "timestamp", ${columns} FROM ${rollup ? 'metric_rollups' : 'metrics'}
      WHERE resource_type = $1 AND resource_id = $2 AND "timestamp" >= $3 ${rollup ? `AND "interval" = $4` : ''}
      ORDER BY "timestamp"`,
    rollup ? [object.resourceType, object.resourceId, since, interval] : [object.resourceType, object.resourceId, since],
  );
  return rows.map((row) => ({ ...row, timestamp: row.timestamp.toISOString() }));
}
