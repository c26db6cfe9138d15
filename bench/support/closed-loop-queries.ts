import { Pool, type QueryConfig } from 'pg';

export interface QueryLoad {
  /** Milliseconds each statement took, from sending to its last row. */
  latenciesMs: number[];
  perSecond: number;
}

/**
 * Runs statements from `clients` connections of their own for `seconds`, each connection sending its next as soon
 * as its last is answered (the closed loop autocannon's connections make), so the database's figures stand next to
 * an HTTP run's at the same concurrency. `statement(i)` gives the i-th statement.
 */
export async function runClosedLoopQueries(options: {
  databaseUrl: string; clients: number; seconds: number; statement: (index: number) => QueryConfig;
}): Promise<QueryLoad> {
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.clients });
  try {
    // Every connection open before the clock starts: connecting is not what is measured.
    const connected = await Promise.all(Array.from({ length: options.clients }, () => pool.connect()));
    for (const client of connected) client.release();
    const latenciesMs: number[] = [];
    let sent = 0;
    const started = performance.now();
    const deadline = started + options.seconds * 1000;
    const client = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const config = options.statement(sent);
        sent += 1;
        const before = performance.now();
        await pool.query(config);
        latenciesMs.push(performance.now() - before);
      }
    };
    await Promise.all(Array.from({ length: options.clients }, client));
    return { latenciesMs, perSecond: latenciesMs.length / ((performance.now() - started) / 1000) };
  } finally {
    await pool.end();
  }
}
