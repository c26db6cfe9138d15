import { readFileSync } from 'node:fs';

interface CpuTimes {
  steal: number;
  total: number;
}

function cpuTimes(): CpuTimes | null {
  try {
    // The first line of /proc/stat sums every CPU: user nice system idle iowait irq softirq steal ...
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { steal: fields[7] ?? 0, total: fields.reduce((sum, value) => sum + value, 0) };
  } catch {
    return null;
  }
}

/**
 * Starts watching how much CPU time the hypervisor gave to other machines (steal, on Linux): a benchmark on a
 * shared host reports it next to its figures, since latencies measured while a third of the CPUs went elsewhere
 * are not the machine's. The returned function answers the percentage since the start, or null where unknown.
 */
export function watchCpuSteal(): () => number | null {
  const start = cpuTimes();
  return () => {
    const end = cpuTimes();
    if (!start || !end || end.total === start.total) return null;
    return ((end.steal - start.steal) / (end.total - start.total)) * 100;
  };
}
