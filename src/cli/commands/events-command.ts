import { Command } from 'commander';
import { ValidationError } from '../../errors';
import { MAX_EVENT_TYPES, splitEventTypes } from '../../queries/event-type-list';
import { findEvents } from '../../queries/stored-events';
import { purgeEvents } from '../../server/event-retention';
import type { CliContext } from '../cli-context';
import { textTable } from '../text-table';
import { toInt } from './demo-cloud-command';

interface EventsOptions {
  provider?: string;
  type?: string;
  since?: string;
  limit: number;
  json?: boolean;
}

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `fleet events`: the newest stored events, oldest of them first, optionally of one provider, of some types, since a
 * time; `fleet events purge` removes those past retention.
 */
export function eventsCommand(context: CliContext): Command {
  const command = new Command('events')
    .description('list stored provider events (newest last)')
    .option('--provider <id|name>', 'only this provider\'s events')
    .option('--type <types>', 'only events of these types, comma-separated, e.g. vm.power_off,vm.power_on')
    .option('--since <time>', 'only events since a time: an ISO 8601 time, or an age such as 30m, 6h, 2d')
    .option('--limit <n>', 'at most this many events (the newest)', toInt, 100)
    .option('--json', 'print JSON instead of a table')
    .action(async (options: EventsOptions) => {
      const since = options.since === undefined ? undefined : parseSince(options.since);
      const providerId = options.provider === undefined ? undefined : (await (await context.store()).get(options.provider)).id;
      const types = options.type === undefined ? undefined : splitEventTypes(options.type);
      if (types !== undefined && types.length > MAX_EVENT_TYPES) throw new ValidationError(`--type names at most ${MAX_EVENT_TYPES} event types`);
      // The newest events of the query, shown oldest first.
      const events = (await findEvents(await context.dataSource(), context.types, { providerId, types, since, limit: options.limit })).reverse();
      const rows = events.map((event) => ({
        id: event.id, provider: event.providerName, timestamp: event.timestamp, event_type: event.type, message: event.message,
        refs: event.refs, linked: Object.keys(event.objects).length > 0,
      }));
      if (options.json) {
        console.log(JSON.stringify(rows.map((row) => ({ ...row, timestamp: row.timestamp.toISOString() })), null, 2));
        return;
      }
      const table = textTable(['time', 'provider', 'type', 'message', 'objects', 'in inventory']);
      for (const row of rows) {
        table.push([row.timestamp.toISOString(), row.provider, row.event_type, row.message, row.refs.map((r) => `${r.collection}/${r.emsRef}`).join(' '), row.linked ? 'yes' : 'no']);
      }
      console.log(rows.length === 0 ? 'no events' : table.toString());
    });
  command.addCommand(new Command('purge')
    .description('delete stored events past retention')
    .option('--older-than-months <n>', 'retention in months (default: the eventRetentionMonths setting)', toInt)
    .action(async (options: { olderThanMonths?: number }) => {
      const months = options.olderThanMonths ?? context.config.eventRetentionMonths;
      if (months < 1) throw new ValidationError('--older-than-months must be at least 1');
      console.log(`${await purgeEvents(await context.dataSource(), months)} events older than ${months} months purged`);
    }));
  return command;
}

/** An ISO 8601 time, or an age (30m, 6h, 2d) before now. */
export function parseSince(value: string, now = Date.now()): Date {
  const age = /^(\d+)([mhd])$/.exec(value);
  if (age) return new Date(now - Number(age[1]) * UNIT_MS[age[2]]);
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) throw new ValidationError(`--since "${value}" must be an ISO 8601 time (2026-11-22T10:00:00Z) or an age such as 30m, 6h, 2d`);
  return time;
}
