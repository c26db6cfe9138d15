import { readFileSync } from 'node:fs';

/**
 * The most memory a process has held resident (Linux's VmHWM of /proc/<pid>/status), in bytes, or null where there is
 * no such file. Not `process.resourceUsage().maxRSS`: Linux carries that figure over a fork and exec, so a process
 * started by a large one reports its parent's resident set as its own peak.
 */
export function peakRssBytes(pid: number | 'self' = 'self'): number | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kilobytes = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kilobytes === undefined ? null : Number(kilobytes) * 1024;
}
