import type { ClientBase } from 'pg';
import { to as copyTo } from 'pg-copy-streams';

const NEWLINE = 0x0a;

/**
 * Runs `COPY (query) TO STDOUT` (text format) and hands each row's line, without its newline, to `onLine` as bytes
 * while the rows stream in: one scan on the server, and no row objects or strings unless the reader makes them.
 * The bytes are only valid during the call.
 */
export async function copyOutLines(client: ClientBase, query: string, onLine: (bytes: Buffer, start: number, end: number) => void): Promise<void> {
  const stream = client.query(copyTo(`COPY (${query}) TO STDOUT`));
  let carried: Buffer | null = null;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const bytes: Buffer = carried ? Buffer.concat([carried, chunk]) : chunk;
    let start = 0;
    // Scanned here, not with Buffer.indexOf: lines are short, and a call into native code per line cost more.
    for (let end = 0; end < bytes.length; end += 1) {
      if (bytes[end] !== NEWLINE) continue;
      onLine(bytes, start, end);
      start = end + 1;
    }
    carried = start < bytes.length ? bytes.subarray(start) : null;
  }
}
