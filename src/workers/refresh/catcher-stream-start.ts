import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { ProviderState } from '../../providers/provider-state';

/** How often the wait asks again. */
const POLL_MS = 100;

/**
 * Waits, at most `timeoutMs`, while the provider has an event catcher that has not started its stream yet (a live
 * catcher worker, and no event position saved). Such a catcher asks for a full refresh once its stream has started,
 * as one that ran before could miss what changed until then: the refresh worker waits for that request before it
 * starts consuming, so its own start-up refresh and the catcher's merge into one.
 */
export async function waitForStartingCatcher(dataSource: DataSource, providerId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const state = new ProviderState(dataSource, providerId);
  while (Date.now() < deadline && (await state.get('eventPosition')) === null) {
    const catchers: unknown[] = await dataSource.query(
      `SELECT 1 FROM workers WHERE provider_id = $1 AND role = 'event-catcher' AND status IN ('requested', 'running') LIMIT 1`, [providerId]);
    if (catchers.length === 0) return;
    await sleep(POLL_MS);
  }
}
