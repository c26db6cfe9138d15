/**
 * Runs `task(0)` to `task(count - 1)` with at most `concurrency` in flight (each sender takes the next index when
 * its task is done). Returns the seconds it took.
 */
export async function runConcurrently(count: number, concurrency: number, task: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const sender = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, sender));
  return (performance.now() - started) / 1000;
}
