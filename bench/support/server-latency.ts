/**
 * The fleet server's own view of a route's latency, read from its Prometheus histogram
 * (`fleet_http_request_duration_seconds`): how many requests took at most each bucket's bound. Beside what clients
 * measured, it tells time spent in the server's handler from time spent reaching it (a busy machine, a busy client).
 */
export interface ServerLatency {
  count: number;
  /** Requests that the server answered within each bound, in seconds, in ascending order. */
  within: { seconds: number; count: number }[];
}

export async function serverLatency(baseUrl: string, token: string, method: string, route: string): Promise<ServerLatency> {
  const answer = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (!answer.ok) throw new Error(`the server's metrics: ${answer.status}`);
  const text = await answer.text();
  const within = new Map<number, number>();
  let count = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('fleet_http_request_duration_seconds_') || !line.includes(`method="${method}"`) || !line.includes(`route="${route}"`)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const bound = /le="([^"]+)"/.exec(line)?.[1];
    if (line.startsWith('fleet_http_request_duration_seconds_count')) count += value;
    else if (bound !== undefined && bound !== '+Inf') within.set(Number(bound), (within.get(Number(bound)) ?? 0) + value);
  }
  return { count, within: [...within].sort(([a], [b]) => a - b).map(([seconds, n]) => ({ seconds, count: n })) };
}

/** "98.1 % within 50 ms, 99.6 % within 100 ms, ..." for the bounds given. */
export function describeServerLatency(latency: ServerLatency, boundsMs: readonly number[]): string {
  if (latency.count === 0) return 'no requests seen';
  return latency.within.filter((b) => boundsMs.includes(b.seconds * 1000))
    .map((b) => `${((b.count / latency.count) * 100).toFixed(1)} % within ${b.seconds * 1000} ms`).join(', ');
}
