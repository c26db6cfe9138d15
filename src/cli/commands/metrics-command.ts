import { Command, Option } from 'commander';
import type { DataSource } from 'typeorm';
import { NotFoundError, ValidationError } from '../../errors';
import { METRIC_COUNTER_TITLES, METRIC_COUNTERS } from '../../core/metrics/provider-metrics';
import type { ProviderStore } from '../../providers/provider-store';
import {
  DEFAULT_WINDOW_MS, defaultInterval, hasRealtimeSamples, readMetricRows, type MetricsObject,
} from '../../queries/metric-series';
import type { MetricInterval } from '../../core/metrics/metric-intervals';
import { metricHierarchy, PROVIDER_RESOURCE } from '../../core/metrics/metric-hierarchy';
import { ident } from '../../db/sql';
import type { CliContext } from '../cli-context';
import { sparkline } from '../text-chart';
import { textTable } from '../text-table';
import { parseSince } from './events-command';
import { toInt } from './demo-cloud-command';

interface MetricsOptions {
  provider?: string;
  interval?: MetricInterval;
  since?: string;
  limit: number;
  json?: boolean;
}

/** An object with metrics, with the title the command shows it by. */
interface NamedMetricsObject extends MetricsObject {
  title: string;
}

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
      const interval = options.interval ?? defaultInterval(object.resourceType);
      if (interval === 'realtime' && !hasRealtimeSamples(object.resourceType)) throw new ValidationError('a provider has rollups only: use --interval hourly or daily');
      const since = options.since === undefined ? new Date(Date.now() - DEFAULT_WINDOW_MS[interval]) : parseSince(options.since);
      const rows = await readMetricRows(dataSource, object, interval, { from: since });
      if (options.json) {
        const json = rows.map((row) => ({
          timestamp: row.timestamp.toISOString(), ...(row.sampleCount === null ? {} : { sample_count: row.sampleCount }), ...row.columns,
        }));
        console.log(JSON.stringify({ object: object.title, interval, rows: json }, null, 2));
        return;
      }
      console.log(`${object.title}, ${interval} since ${since.toISOString()}`);
      if (rows.length === 0) {
        console.log('no metrics in this window');
        return;
      }
      const rollup = interval !== 'realtime';
      const table = textTable(['time', ...METRIC_COUNTERS.map((c) => (rollup ? `${METRIC_COUNTER_TITLES[c]} avg (min-max)` : METRIC_COUNTER_TITLES[c])), ...(rollup ? ['samples'] : [])]);
      for (const row of rows.slice(-options.limit)) {
        table.push([
          row.timestamp.toISOString(),
          ...METRIC_COUNTERS.map((c) => (rollup ? `${fmt(row.columns[`${c}_avg`])} (${fmt(row.columns[`${c}_min`])}-${fmt(row.columns[`${c}_max`])})` : fmt(row.columns[c]))),
          ...(rollup ? [String(row.sampleCount)] : []),
        ]);
      }
      console.log(table.toString());
      for (const counter of METRIC_COUNTERS) {
        const values = rows.map((row) => row.columns[rollup ? `${counter}_avg` : counter]).filter((v): v is number => typeof v === 'number');
        if (values.length > 0) console.log(`${METRIC_COUNTER_TITLES[counter].padEnd(10)} ${sparkline(values, CHART_WIDTH)}  ${fmt(Math.min(...values))} .. ${fmt(Math.max(...values))}`);
      }
    });
}

function fmt(value: unknown): string {
  return typeof value === 'number' ? String(Math.round(value * 100) / 100) : '-';
}

/** The object named: inventory objects of metric kinds first (by ems_ref or name), then providers. */
async function findObject(dataSource: DataSource, store: ProviderStore, name: string, providerName: string | undefined): Promise<NamedMetricsObject> {
  const providers = providerName === undefined ? await store.list() : [await store.get(providerName)];
  const found: NamedMetricsObject[] = [];
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
