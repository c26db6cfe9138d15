import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';

/** How often the wait asks again. */
const POLL_MS = 100;

/**
 * Waits, at most `timeoutMs`, while the provider has an event catcher that has not started its stream yet (a live
 * catcher worker, and no event position saved). Such a catcher asks for a full refresh once its stream has started,
 * as one that ran before could miss what changed until then: the refresh worker waits for that request before it
 * starts consuming, so its own start-up refresh and the catcher's merge into one. Returns whether it waited.
 */
export async function waitForStartingCatcher(dataSource: DataSource, providerId: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let waited = false;
  for (;;) {
    const [{ starting }]: { starting: boolean }[] = await dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM workers WHERE provider_id = $1 AND role = 'event-catcher' AND status IN ('requested', 'running'))
          AND NOT EXISTS (SELECT 1 FROM providers WHERE id = $1 AND provider_data ? 'eventPosition') AS starting`,
      [providerId],
    );
    if (!starting || Date.now() >= deadline) return waited;
    waited = true;
    await sleep(POLL_MS);
  }
}
