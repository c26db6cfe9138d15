import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux everywhere it matters). */
const TICKS_PER_SECOND = 100;

/** CPU seconds used so far, by kind of process (`fleet worker refresh`, `postgres backend`, ...). */
export type CpuByKind = Map<string, number>;

/**
 * The CPU time of this process, its descendants (the fleet server, its workers, the demo cloud) and the PostgreSQL
 * backends serving `database`, summed by what each process is, from /proc (Linux). Taken before and after a phase,
 * the difference says where that phase's CPU went.
 */
export function cpuByKind(database: string): CpuByKind {
  const processes = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      return [{ pid: Number(pid), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), command }];
    } catch {
      return []; // ended meanwhile
    }
  });
  const ours = new Set([process.pid]);
  for (let grown = true; grown;) {
    grown = false;
    for (const candidate of processes) {
      if (!ours.has(candidate.pid) && ours.has(candidate.ppid)) {
        ours.add(candidate.pid);
        grown = true;
      }
    }
  }
  const byKind: CpuByKind = new Map();
  for (const { pid, ticks, command } of processes) {
    const kind = command.includes(` ${database} `) ? 'postgres backends' : ours.has(pid) ? kindOf(command) : undefined;
    if (kind !== undefined) byKind.set(kind, (byKind.get(kind) ?? 0) + ticks / TICKS_PER_SECOND);
  }
  return byKind;
}

/** What each kind used between two readings, most first. */
export function cpuBetween(before: CpuByKind, after: CpuByKind): [string, number][] {
  return [...after].map(([kind, seconds]): [string, number] => [kind, seconds - (before.get(kind) ?? 0)]).sort((a, b) => b[1] - a[1]);
}

function kindOf(command: string): string {
  const fleet = /\bfleet (worker [a-z-]+|server|demo-cloud)/.exec(command);
  if (fleet) return `fleet ${fleet[1]}`;
  return command.includes('bench') ? 'benchmark clients' : command.split(' ', 1)[0];
}
