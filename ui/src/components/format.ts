/** How values read in tables: times in the viewer's locale, sizes in MiB, nothing as a dash. */

export const NOTHING = '—';

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return NOTHING;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** "12 s ago", "5 min ago", ... for recent times; the date for older ones. */
export function formatAge(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return NOTHING;
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (Number.isNaN(seconds)) return iso;
  if (seconds < 60) return `${Math.max(seconds, 0)} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return formatTime(iso);
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return NOTHING;
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return NOTHING;
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** Any field value of an inventory object, as text. */
export function formatValue(value: unknown, type?: string): string {
  if (value === null || value === undefined || value === '') return NOTHING;
  if (type === 'timestamp' && typeof value === 'string') return formatTime(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Words that are acronyms: written in capitals in titles. */
const ACRONYMS: Record<string, string> = { vm: 'VM', vms: 'VMs', ip: 'IP', ips: 'IPs', id: 'ID', ems: 'EMS', uid: 'UID', cpu: 'CPU' };

/** "powerState", "power_state" -> "Power state"; "emsRef" -> "EMS ref": a camelCase or snake_case name as words. */
export function titleOf(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[_\s]+/)
    .filter(Boolean).map((word) => ACRONYMS[word.toLowerCase()] ?? word.toLowerCase());
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A collection's name as a tab or heading, without the manager kind of inventory tables: "vms" -> "VMs",
 * "securityGroups" and "cloud_security_groups" -> "Security groups", "vmSecurityGroups" -> "VM security groups".
 */
export function collectionTitle(name: string): string {
  return titleOf(name.replace(/^(cloud|infra|container)_/, ''));
}

/** One object of a collection, as a word before its name: "cloud_vms" -> "VM", "container_pods" -> "Pod". */
export function objectKindTitle(collection: string): string {
  const title = collectionTitle(collection);
  return title.endsWith('s') ? title.slice(0, -1) : title;
}
