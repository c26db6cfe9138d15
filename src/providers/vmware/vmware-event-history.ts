import type { VimClient } from './vim-client';
import type { VimCallOptions } from './vim-connection';
import type { VimEvent } from './vim-events';
import { VimFaultError } from './vim-fault-error';
import type { ManagedObjectReference } from './vim-values';
import type { EventHistoryMark } from './vmware-native-events';

/**
 * How many events the followed collector's latest page holds: what one poll reads. More events than this between
 * two polls are read by a catch-up instead, so the page only needs to hold a quiet interval's events.
 */
const LATEST_PAGE_SIZE = 50;
/** Events per ReadNextEvents of a catch-up, and the page size of its collector (vCenter's and vcsim's most). */
const CATCH_UP_PAGE = 1000;

/**
 * vCenter's event history, read from a mark on: each read returns the events recorded after it, oldest first, and
 * moves the mark past them. Events are numbered by a key that grows with each event vCenter records, which is what
 * "after" means; a mark's time is only the starting point of a catch-up's filter (the filter has no key).
 *
 * Following reads the latest page of one event history collector of the whole inventory. When every event of a
 * full page is new, more may have been recorded than the page holds: those are read by a catch-up, a collector
 * created for the events since the mark's time, read to its end and destroyed. (A collector's latestPage could be
 * followed through the PropertyCollector, as the inventory is; vcsim's PropertyCollector fails on a filter over a
 * collector, so the page is polled: one small retrieval per poll.) Collectors belong to the session: one gone with
 * its session is made again in the next.
 */
export class EventHistory {
  private followed: { collector: ManagedObjectReference; session: string | undefined } | undefined;

  constructor(private readonly client: VimClient, private current: EventHistoryMark) {}

  get mark(): EventHistoryMark {
    return this.current;
  }

  /** Moves the mark to vCenter's newest event, skipping everything recorded before now. */
  async skipToNow(options: VimCallOptions): Promise<EventHistoryMark> {
    const page = await this.latestPage(options);
    const newest = page.at(-1);
    if (newest !== undefined && newest.key > this.current.key) this.current = { key: newest.key, time: newest.createdTime };
    return this.current;
  }

  /** The events recorded after the mark, oldest first; the mark moves past them. */
  async readNew(options: VimCallOptions): Promise<VimEvent[]> {
    const page = await this.latestPage(options);
    const fresh = page.filter((event) => event.key > this.current.key);
    if (fresh.length < LATEST_PAGE_SIZE || fresh.length < page.length) return this.advance(fresh);
    return this.catchUp(options);
  }

  /** Every event recorded after the mark, read through a collector of their own; the mark moves past them. */
  async catchUp(options: VimCallOptions): Promise<VimEvent[]> {
    const { rootFolder } = await this.client.serviceContent(options);
    const collector = await this.client.createCollectorForEvents({
      entity: { entity: rootFolder, recursion: 'all' }, ...(this.current.time === null ? {} : { beginTime: this.current.time }),
    }, options);
    try {
      await this.client.setCollectorPageSize(collector, CATCH_UP_PAGE, options);
      await this.client.rewindCollector(collector, options);
      const read = new Map<number, VimEvent>();
      for (;;) {
        const events = await this.client.readNextEvents(collector, CATCH_UP_PAGE, options);
        if (events.length === 0) break;
        for (const event of events) if (event.key > this.current.key) read.set(event.key, event);
      }
      return this.advance([...read.values()].sort((a, b) => a.key - b.key));
    } finally {
      // A collector left behind ends with the session; vCenter limits how many a session keeps, so it is destroyed.
      await this.client.destroyCollector(collector, options).catch(() => undefined);
    }
  }

  /** The followed collector's latest page, oldest first (vcsim hands it in no order), made in this session if need be. */
  private async latestPage(options: VimCallOptions): Promise<VimEvent[]> {
    const session = this.client.connection.session?.key;
    if (this.followed === undefined || this.followed.session !== session) this.followed = await this.follow(options);
    let page: VimEvent[];
    try {
      page = await this.client.latestEventPage(this.followed.collector, options);
    } catch (error: unknown) {
      if (!(error instanceof VimFaultError && error.faultType === 'ManagedObjectNotFound')) throw error;
      // Gone with a session that ended during the call: once more, in the new one.
      this.followed = await this.follow(options);
      page = await this.client.latestEventPage(this.followed.collector, options);
    }
    return [...page].sort((a, b) => a.key - b.key);
  }

  private async follow(options: VimCallOptions): Promise<{ collector: ManagedObjectReference; session: string | undefined }> {
    const { rootFolder } = await this.client.serviceContent(options);
    const collector = await this.client.createCollectorForEvents({ entity: { entity: rootFolder, recursion: 'all' } }, options);
    await this.client.setCollectorPageSize(collector, LATEST_PAGE_SIZE, options);
    return { collector, session: this.client.connection.session?.key };
  }

  private advance(events: VimEvent[]): VimEvent[] {
    const last = events.at(-1);
    if (last !== undefined) this.current = { key: last.key, time: last.createdTime };
    return events;
  }
}
