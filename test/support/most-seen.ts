import { sleep } from './wait';

/**
 * Polls `probe` every `everyMs` until the returned function is called, which answers the most of each count it saw
 * (how many workers a provider had at once, say). A probe that fails ends the watch with its error.
 */
export function watchMost<K extends string>(probe: () => Promise<Record<K, number>>, everyMs = 100): () => Promise<Record<K, number>> {
  let most: Record<K, number> | undefined;
  let watching = true;
  const done = (async () => {
    while (watching) {
      const counts = await probe();
      const before = most;
      most = before === undefined ? counts : Object.fromEntries(Object.entries<number>(counts).map(([key, n]) => [key, Math.max(n, before[key as K])])) as Record<K, number>;
      await sleep(everyMs);
    }
  })();
  return async () => {
    watching = false;
    await done;
    if (most === undefined) throw new Error('the watch ended before its first look');
    return most;
  };
}
