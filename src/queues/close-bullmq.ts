import { setTimeout as sleep } from 'node:timers/promises';

/** How long a close waits for a BullMQ object still initializing; with Redis away it closes without waiting. */
const INITIALIZATION_WAIT_MS = 1_000;

/** A BullMQ queue, worker or event listener. */
interface BullmqObject {
  waitUntilReady(): Promise<unknown>;
  close(force?: boolean): Promise<void>;
}

/**
 * Closes a BullMQ object on a shared Redis connection once its initialization has settled. BullMQ drops the
 * object's error listeners on close: one closed while it still initializes (made just before a process stops) would
 * raise its initialization's failure, when the shared connection is then disconnected, as an uncaught error that ends
 * the process.
 */
export async function closeBullmq(object: BullmqObject, force?: boolean): Promise<void> {
  const waited = new AbortController();
  await Promise.race([
    object.waitUntilReady().catch(() => undefined),
    sleep(INITIALIZATION_WAIT_MS, undefined, { signal: waited.signal, ref: false }).catch(() => undefined),
  ]);
  waited.abort();
  await object.close(force);
}
