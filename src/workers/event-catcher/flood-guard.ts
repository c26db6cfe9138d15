import type { ProviderEvent } from '../../core/events/provider-events';

/** What the guard knows of one kind of repeated event in its current window. */
interface Window {
  startedAt: number;
  passed: number;
  blocked: number;
}

/** What the guard reports when a flood begins and when a flood's window ends. */
export interface FloodReport {
  key: string;
  blocked: number;
}

const WINDOW_MS = 60_000;

/**
 * Flood protection, as ManageIQ's duplicate blocker: events that repeat one another (same type, same objects)
 * pass at most `perMinute` times per minute; the rest are blocked. A flood is reported once when it starts and
 * once, with its count, when its minute is over — never per blocked event.
 */
export class FloodGuard {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly perMinute: number,
    private readonly onFlood: (report: FloodReport & { phase: 'started' | 'ended' }) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the event may pass. */
  admit(event: ProviderEvent): boolean {
    const now = this.now();
    this.expire(now);
    const key = dedupKey(event);
    let window = this.windows.get(key);
    if (!window) this.windows.set(key, (window = { startedAt: now, passed: 0, blocked: 0 }));
    if (window.passed < this.perMinute) {
      window.passed += 1;
      return true;
    }
    window.blocked += 1;
    if (window.blocked === 1) this.onFlood({ key, blocked: 1, phase: 'started' });
    return false;
  }

  /** Ends the windows whose minute is over, reporting the floods among them. */
  private expire(now: number): void {
    // Windows are kept in the order they started, so the expired ones come first.
    for (const [key, window] of this.windows) {
      if (now - window.startedAt < WINDOW_MS) break;
      this.windows.delete(key);
      if (window.blocked > 0) this.onFlood({ key, blocked: window.blocked, phase: 'ended' });
    }
  }
}

/** What makes two events repeats of each other. */
export function dedupKey(event: ProviderEvent): string {
  return [event.type, ...event.refs.map((ref) => `${ref.collection}/${ref.emsRef}`)].join(' ');
}
