import type { Redis } from 'ioredis';

/** Every key matching one of the patterns (SCAN, so a large shared Redis is not blocked). */
export async function scanKeys(redis: Redis, patterns: readonly string[]): Promise<string[]> {
  const keys = new Set<string>();
  for (const pattern of patterns) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of found) keys.add(key);
    } while (cursor !== '0');
  }
  return [...keys];
}

/** Bytes Redis uses for each key matching the patterns, each measured whole (MEMORY USAGE ... SAMPLES 0). */
export async function keysMemory(redis: Redis, patterns: readonly string[]): Promise<Map<string, number>> {
  const bytes = new Map<string, number>();
  for (const key of await scanKeys(redis, patterns)) {
    // A key removed between SCAN and MEMORY USAGE answers null.
    bytes.set(key, Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) || 0);
  }
  return bytes;
}

export function totalBytes(memory: Map<string, number>): number {
  return [...memory.values()].reduce((sum, bytes) => sum + bytes, 0);
}

export async function deleteKeys(redis: Redis, patterns: readonly string[]): Promise<void> {
  const keys = await scanKeys(redis, patterns);
  for (let start = 0; start < keys.length; start += 1000) await redis.del(...keys.slice(start, start + 1000));
}
