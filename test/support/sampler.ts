import { sleep } from './wait';

/** Runs `probe` again and again (pausing `intervalMs` between runs) until stopped; stop() returns every sample. */
export function startSampler<T>(probe: () => Promise<T>, intervalMs: number): { stop: () => Promise<T[]> } {
  const samples: T[] = [];
  let sampling = true;
  const done = (async () => {
    while (sampling) {
      samples.push(await probe());
      await sleep(intervalMs);
    }
  })();
  return {
    stop: async () => {
      sampling = false;
      await done;
      return samples;
    },
  };
}
