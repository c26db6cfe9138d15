import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Quotes an SQL identifier. Identifiers come from entity metadata, never from providers or users. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes an SQL string literal, for names read from the catalog. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const CHUNK_CHARS = 256 * 1024;

/**
 * Streams COPY text lines (without their newline) into `COPY <target> FROM STDIN`. Lines are produced lazily, so
 * the caller's work (serializing rows) overlaps PostgreSQL's; backpressure keeps memory flat. Returns the number
 * of lines written; without any, no COPY is sent.
 */
export async function copyLines(client: ClientBase, target: string, lines: Iterable<string>): Promise<number> {
  let count = 0;
  function* chunks(): Generator<string> {
    let chunk = '';
    for (const line of lines) {
      chunk += `${line}\n`;
      count += 1;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk.length > 0) yield chunk;
  }
  const produced = chunks();
  const first = produced.next();
  // Nothing to write (the lines are all consumed already): no COPY, whose round trips a small refresh would feel.
  if (first.done === true) return 0;
  const all = function* (): Generator<string> {
    yield first.value;
    yield* produced;
  };
  await pipeline(Readable.from(all()), client.query(copyFrom(`COPY ${target} FROM STDIN`)));
  return count;
}

/** Runs `action` over `items` in slices, for statements that take an array parameter. */
export async function inSlices<T>(items: readonly T[], size: number, action: (slice: T[]) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) await action(items.slice(start, start + size));
}

/** Reserves `count` ids from a table's sequence in one round trip. */
export async function allocateIds(client: ClientBase, table: string, count: number): Promise<Float64Array> {
  if (count === 0) return new Float64Array(0);
  const sequence = await client.query<{ name: string }>(`SELECT pg_get_serial_sequence($1, 'id') AS name`, [table]);
  // A constant sequence name lets nextval keep the sequence open across calls (a computed one is reopened per id,
  // ten times slower); one joined string parses far faster than a numeric array.
  const result = await client.query<{ ids: string }>(
    `SELECT string_agg(nextval(${literal(sequence.rows[0].name)}::regclass)::text, ',') AS ids FROM generate_series(1, $1)`,
    [count],
  );
  // Read digit by digit: a million ids split into strings would be tens of megabytes at once.
  const joined = result.rows[0].ids;
  const ids = new Float64Array(count);
  for (let i = 0, at = 0, id = 0; i <= joined.length; i += 1) {
    const code = i < joined.length ? joined.charCodeAt(i) : COMMA;
    if (code === COMMA) {
      ids[at++] = id;
      id = 0;
    } else {
      id = id * 10 + code - ZERO;
    }
  }
  return ids;
}

const COMMA = 0x2c;
const ZERO = 0x30;
