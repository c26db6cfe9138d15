import type { ChangeEvent, ChangeType, CollectionName } from './model';
import type { DemoCloudState } from './state';

/** An alarm raised on a VM by the cloud's monitoring: an event that changes nothing (and can come in floods). */
export const ALARM_TYPE = 'vm.alarm';

/** One event as the cloud's API serves it. */
export interface CloudEvent {
  /** Increasing from 1, without gaps: the cursor a catcher keeps. */
  id: number;
  type: ChangeType | typeof ALARM_TYPE;
  /** ISO 8601 time of the change. */
  at: string;
  resource_type: CollectionName;
  resource_id: string;
}

/** What `after` returns: events after the cursor, or word that the cursor is older than what is kept. */
export type EventsAfter = { events: CloudEvent[]; last: number } | { expired: true; oldest: number };

/**
 * Every change the cloud makes, as numbered events, kept up to `capacity` (the oldest are dropped first) and
 * served from a cursor. Waiters (long polls) are woken by the next change.
 */
export class DemoEventLog {
  private readonly events: CloudEvent[] = [];
  /** The id of events[0]; ids run on from there. */
  private firstId = 1;
  private readonly waiters = new Set<() => void>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(state: DemoCloudState, private readonly capacity = 100_000) {
    this.unsubscribe = state.onChange((change) => this.record(change));
  }

  /** The id of the newest event (0 before the first). */
  get lastId(): number {
    return this.firstId + this.events.length - 1;
  }

  /** Requests waiting for an event now (long polls in progress). */
  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Events with ids above `cursor`, at most `limit`. A cursor before the oldest kept event has expired, and so has
   * one past the newest (it belongs to another run of the cloud): events would be missed either way.
   */
  after(cursor: number, limit: number): EventsAfter {
    if (cursor < this.firstId - 1 || cursor > this.lastId) return { expired: true, oldest: this.firstId };
    const start = Math.max(0, cursor - this.firstId + 1);
    const events = this.events.slice(start, start + limit);
    return { events, last: events.length > 0 ? events[events.length - 1].id : Math.max(cursor, this.lastId) };
  }

  /** Resolves once there is an event after `cursor`, or after `timeoutMs`, or when the log is closed. */
  async waitForEventAfter(cursor: number, timeoutMs: number): Promise<void> {
    // Closed: a poll that reached here while the server was closing is answered at once, not held to its timeout.
    if (this.closed || this.lastId > cursor || timeoutMs <= 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  /** Records `count` alarms on a VM at once; returns the ids of the first and the last. */
  raiseAlarms(vmId: string, count: number, at = new Date()): { first_id: number; last_id: number } {
    const first = this.lastId + 1;
    for (let i = 0; i < count; i += 1) this.append({ type: ALARM_TYPE, at: at.toISOString(), resource_type: 'vms', resource_id: vmId });
    return { first_id: first, last_id: this.lastId };
  }

  /** Stops recording and releases every waiter. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const wake of [...this.waiters]) wake();
  }

  private record(change: ChangeEvent): void {
    this.append({ type: change.type, at: change.at.toISOString(), resource_type: change.collection, resource_id: change.id });
  }

  private append(event: Omit<CloudEvent, 'id'>): void {
    this.events.push({ id: this.lastId + 1, ...event });
    if (this.events.length > this.capacity) {
      // Dropping in chunks keeps the cost of shifting the array small per event.
      const drop = Math.ceil(this.capacity / 10);
      this.events.splice(0, drop);
      this.firstId += drop;
    }
    for (const wake of [...this.waiters]) wake();
  }
}
