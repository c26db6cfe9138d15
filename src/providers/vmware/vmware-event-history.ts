import type { VimClient } from './vim-client';
import type { VimCallOptions } from './vim-connection';
import type { EventFilterSpec, VimEvent } from './vim-events';
import type { EventHistoryMark } from './vmware-native-events';

/**
 * The most events one QueryEvents answers, events per ReadNextEvents of a catch-up, and the page size of its
 * collector (vCenter's and vcsim's most).
 */
const MOST_EVENTS = 1000;

/**
 * vCenter's event history, read from a mark on: each read returns the events recorded after it, oldest first, and
 * moves the mark past them. Events are numbered by a key that grows with each event vCenter records, which is what
 * "after" means; a mark's time is only the starting point of a catch-up's filter (the filter has no key).
 *
 * Following asks QueryEvents for the events of the whole inventory since the mark's time. When the answer is full,
 * more may have been recorded than it holds: those are read by a catch-up, a collector created for the same events,
 * read to its end and destroyed. No collector is kept between polls: vCenter updates a kept collector's latest page
 * at every event it records, and vcsim answers each such update to a PropertyCollector filter by collecting the
 * whole filter again (every VM and host of the update filter), which slowed every change's way to the event catcher
 * by two of those collections per power change.
 */
export class EventHistory {
  constructor(private readonly client: VimClient, private current: EventHistoryMark) {}

  get mark(): EventHistoryMark {
    return this.current;
  }

  /** Moves the mark to vCenter's newest event, skipping everything recorded before now. */
  async skipToNow(options: VimCallOptions): Promise<EventHistoryMark> {
    const [newest] = await this.client.queryEvents({ entity: await this.everything(options), maxCount: 1 }, options);
    if (newest !== undefined && newest.key > this.current.key) this.current = { key: newest.key, time: newest.createdTime };
    return this.current;
  }

  /** The events recorded after the mark, oldest first; the mark moves past them. */
  async readNew(options: VimCallOptions): Promise<VimEvent[]> {
    const since = await this.client.queryEvents({ ...(await this.sinceMark(options)), maxCount: MOST_EVENTS }, options);
    const fresh = since.filter((event) => event.key > this.current.key);
    // A full answer of new events may have left out older new ones; vcsim ignores the time and answers every event
    // it keeps (up to the most), mostly old ones, which cannot have.
    if (since.length >= MOST_EVENTS && fresh.length === since.length) return this.catchUp(options);
    // vcsim answers in no order.
    return this.advance(fresh.sort((a, b) => a.key - b.key));
  }

  /** Every event recorded after the mark, read through a collector of their own; the mark moves past them. */
  async catchUp(options: VimCallOptions): Promise<VimEvent[]> {
    const collector = await this.client.createCollectorForEvents(await this.sinceMark(options), options);
    try {
      await this.client.setCollectorPageSize(collector, MOST_EVENTS, options);
      await this.client.rewindCollector(collector, options);
      const read = new Map<number, VimEvent>();
      for (;;) {
        const events = await this.client.readNextEvents(collector, MOST_EVENTS, options);
        if (events.length === 0) break;
        for (const event of events) if (event.key > this.current.key) read.set(event.key, event);
      }
      return this.advance([...read.values()].sort((a, b) => a.key - b.key));
    } finally {
      // A collector left behind ends with the session; vCenter limits how many a session keeps, so it is destroyed.
      await this.client.destroyCollector(collector, options).catch(() => undefined);
    }
  }

  /** The events of the whole inventory recorded since the mark's time (all of them, when it has none). */
  private async sinceMark(options: VimCallOptions): Promise<EventFilterSpec> {
    return { entity: await this.everything(options), ...(this.current.time === null ? {} : { beginTime: this.current.time }) };
  }

  private async everything(options: VimCallOptions): Promise<NonNullable<EventFilterSpec['entity']>> {
    const { rootFolder } = await this.client.serviceContent(options);
    return { entity: rootFolder, recursion: 'all' };
  }

  private advance(events: VimEvent[]): VimEvent[] {
    const last = events.at(-1);
    if (last !== undefined) this.current = { key: last.key, time: last.createdTime };
    return events;
  }
}
