import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bytes kept in memory before the first write to disk, and per write after: a small refresh never touches the disk. */
const CHUNK_BYTES = 1 << 20;
/** The chunk starts small and doubles up to CHUNK_BYTES: a refresh of a few objects allocates a few kilobytes. */
const FIRST_CHUNK_BYTES = 1 << 12;
/** Each record: the object's position and its text's length in bytes, then the text. */
const HEADER_BYTES = 8;

/**
 * One collection's built objects as COPY text, written out as they are built and read back once, in build order, when
 * they are saved: a large refresh's parsed objects wait on disk (the page cache, in practice), not in the heap. The
 * file has no name from the moment it is opened (its folder is removed at once), so nothing is left behind whatever
 * ends the process. An object built again under the same position supersedes its earlier record.
 */
export class ObjectSpill {
  private chunk = Buffer.allocUnsafe(FIRST_CHUNK_BYTES);
  private chunkUsed = 0;
  private fd: number | null = null;
  private fileBytes = 0;
  private records = 0;
  /** For the positions built more than once (rare): the number of the latest record, the only one read back. */
  private readonly latestOfRebuilt = new Map<number, number>();

  /** Adds the text of the object at `position`, which `builtBefore` says was built already. */
  append(position: number, text: string, builtBefore: boolean): void {
    if (builtBefore) this.latestOfRebuilt.set(position, this.records);
    const most = HEADER_BYTES + text.length * 3;
    if (this.chunkUsed + most > this.chunk.length) this.makeRoom(most);
    const length = this.chunk.write(text, this.chunkUsed + HEADER_BYTES, 'utf8');
    this.chunk.writeUInt32LE(position, this.chunkUsed);
    this.chunk.writeUInt32LE(length, this.chunkUsed + 4);
    this.chunkUsed += HEADER_BYTES + length;
    this.records += 1;
  }

  /** Every object's latest text with its position, in the order they were built. */
  *read(): Generator<[position: number, text: string]> {
    let record = 0;
    const emit = function* (this: ObjectSpill, buffer: Buffer, end: number): Generator<[number, string], number> {
      let at = 0;
      while (at + HEADER_BYTES <= end) {
        const length = buffer.readUInt32LE(at + 4);
        if (at + HEADER_BYTES + length > end) break;
        const position = buffer.readUInt32LE(at);
        const latest = this.latestOfRebuilt.get(position);
        if (latest === undefined || latest === record) yield [position, buffer.toString('utf8', at + HEADER_BYTES, at + HEADER_BYTES + length)];
        record += 1;
        at += HEADER_BYTES + length;
      }
      return at;
    }.bind(this);

    if (this.fd !== null) {
      let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      let carried = 0;
      for (let offset = 0; offset < this.fileBytes;) {
        const read = readSync(this.fd, buffer, carried, buffer.length - carried, offset);
        if (read === 0) throw new Error('the refresh\'s spill file ended early');
        offset += read;
        const end = carried + read;
        const consumed = yield* emit(buffer, end);
        carried = end - consumed;
        // A record longer than the buffer gets a larger one.
        const pending = carried >= HEADER_BYTES ? HEADER_BYTES + buffer.readUInt32LE(consumed + 4) : 0;
        const next = pending > buffer.length ? Buffer.allocUnsafe(pending) : buffer;
        buffer.copy(next, 0, consumed, end);
        buffer = next;
      }
    }
    yield* emit(this.chunk, this.chunkUsed);
  }

  /** Closes the file; the spill is empty afterwards. */
  release(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.fileBytes = 0;
    this.chunkUsed = 0;
    this.records = 0;
    this.latestOfRebuilt.clear();
    this.chunk = Buffer.alloc(0);
  }

  /** Room for a record of at most `needed` bytes: a larger chunk while it is small, else the chunk written out. */
  private makeRoom(needed: number): void {
    if (this.chunk.length < CHUNK_BYTES) {
      const grown = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(this.chunk.length * 2, this.chunkUsed + needed)));
      this.chunk.copy(grown, 0, 0, this.chunkUsed);
      this.chunk = grown;
      if (this.chunkUsed + needed <= this.chunk.length) return;
    }
    if (this.chunkUsed > 0) {
      // The file is opened on the first write.
      this.fd ??= openUnnamed();
      let written = 0;
      while (written < this.chunkUsed) written += writeSync(this.fd, this.chunk, written, this.chunkUsed - written, this.fileBytes + written);
      this.fileBytes += this.chunkUsed;
      this.chunkUsed = 0;
    }
    if (needed > this.chunk.length) this.chunk = Buffer.allocUnsafe(needed);
  }
}

/** A file open for reading and writing whose name is gone: the kernel frees it when it is closed or the process ends. */
function openUnnamed(): number {
  const folder = mkdtempSync(join(tmpdir(), 'fleet-refresh-'));
  try {
    return openSync(join(folder, 'objects'), 'w+', 0o600);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
