/**
 * Runs `work` for every item, at most `limit` at a time (no unbounded fan-out, and no queue of N slow items costing
 * N times one). Every item is worked on even if some fail; rejects with the first failure once all have ended.
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  if (!(limit >= 1)) throw new Error('limit must be at least 1');
  let next = 0;
  const failures: unknown[] = [];
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await work(item).catch((error: unknown) => {
        failures.push(error);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failures.length > 0) throw failures[0];
}
