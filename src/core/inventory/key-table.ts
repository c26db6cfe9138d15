/**
 * Numbers strings: each distinct string gets the next position, from 0, and the table answers both ways (string ->
 * position, position -> string). Built for the million keys of a large refresh: the strings' bytes live in one
 * growing buffer and the hash table is a typed array of positions, so a key costs its UTF-8 bytes and about 16 more
 * (a JS Map of strings costs about 60 per key, and a heap string per key besides).
 */
export class KeyTable {
  private bytes = Buffer.allocUnsafe(1 << 12);
  private bytesUsed = 0;
  /** Per position: where its string starts in `bytes`; the next position's start is where it ends. */
  private starts = new Uint32Array(1 << 10);
  /** Per position: its string's hash, so probes and growth rarely touch the bytes. */
  private hashes = new Uint32Array(1 << 10);
  /** Open addressing, linear probing: position + 1, or 0 for an empty slot. At most three quarters full. */
  private slots = new Int32Array(1 << 11);
  private count = 0;
  /** The string being looked up, as UTF-8. */
  private probe = Buffer.allocUnsafe(256);
  private probeLength = 0;

  get size(): number {
    return this.count;
  }

  /** The position of `key`, or -1. */
  positionOf(key: string): number {
    const hash = this.encode(key); // first: it sets the probe's length
    return this.find(this.probe, 0, this.probeLength, hash);
  }

  /** The position of the key whose UTF-8 bytes are `bytes[start, end)`, or -1: no string is made to look it up. */
  positionOfBytes(bytes: Buffer, start: number, end: number): number {
    return this.find(bytes, start, end - start, hashBytes(bytes, start, end));
  }

  /** The position of `key`, numbering it if it is new. */
  add(key: string): number {
    const hash = this.encode(key);
    return this.addFound(this.probe, 0, this.probeLength, hash);
  }

  /** The position of the key whose UTF-8 bytes are `bytes[start, end)`, numbering it if it is new. */
  addBytes(bytes: Buffer, start: number, end: number): number {
    return this.addFound(bytes, start, end - start, hashBytes(bytes, start, end));
  }

  private addFound(source: Buffer, start: number, length: number, hash: number): number {
    const found = this.find(source, start, length, hash);
    if (found >= 0) return found;
    const position = this.count;
    if (position + 1 >= this.starts.length) this.growPositions();
    if (this.bytesUsed + length > this.bytes.length) this.growBytes(this.bytesUsed + length);
    source.copy(this.bytes, this.bytesUsed, start, start + length);
    this.starts[position] = this.bytesUsed;
    this.bytesUsed += length;
    this.starts[position + 1] = this.bytesUsed;
    this.hashes[position] = hash;
    this.count += 1;
    if (this.count * 4 > this.slots.length * 3) this.rehash(this.slots.length * 2);
    else this.place(position, hash);
    return position;
  }

  keyAt(position: number): string {
    if (position < 0 || position >= this.count) throw new RangeError(`no key at position ${position}`);
    return this.bytes.toString('utf8', this.starts[position], this.starts[position + 1]);
  }

  /** Encodes `key` into the probe buffer and returns its hash. */
  private encode(key: string): number {
    const most = key.length * 3;
    if (most > this.probe.length) this.probe = Buffer.allocUnsafe(Math.max(most, this.probe.length * 2));
    this.probeLength = this.probe.write(key, 0, 'utf8');
    return hashBytes(this.probe, 0, this.probeLength);
  }

  /** The position of the key whose bytes are `source[start, start + length)` and hash `hash`, or -1. */
  private find(source: Buffer, start: number, length: number, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot];
      if (entry === 0) return -1;
      const position = entry - 1;
      if (this.hashes[position] !== hash) continue;
      const begin = this.starts[position];
      const end = this.starts[position + 1];
      if (end - begin === length && sameBytes(this.bytes, begin, source, start, length)) return position;
    }
  }

  private place(position: number, hash: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = position + 1;
  }

  private rehash(slotCount: number): void {
    this.slots = new Int32Array(slotCount);
    for (let position = 0; position < this.count; position += 1) this.place(position, this.hashes[position]);
  }

  private growPositions(): void {
    this.starts = resized(this.starts, grown(this.starts.length));
    this.hashes = resized(this.hashes, grown(this.hashes.length));
  }

  private growBytes(needed: number): void {
    if (needed > MAX_BYTES) throw new RangeError(`a key table holds at most ${MAX_BYTES} bytes of keys`);
    const bytes = Buffer.allocUnsafe(Math.max(needed, grown(this.bytes.length)));
    this.bytes.copy(bytes, 0, 0, this.bytesUsed);
    this.bytes = bytes;
  }
}

/**
 * Whether `a[aStart, aStart + length)` and `b[bStart, bStart + length)` hold the same bytes. Compared here rather than
 * with Buffer.compare: keys are short, and a call into native code per probe cost more than the loop.
 */
function sameBytes(a: Buffer, aStart: number, b: Buffer, bStart: number, length: number): boolean {
  for (let i = 0; i < length; i += 1) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** FNV-1a over bytes. */
function hashBytes(bytes: Buffer, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i += 1) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return hash >>> 0;
}

/** Arrays grow by half: a million keys leave a quarter of their room unused on average, not half. */
export function grown(length: number): number {
  return Math.ceil(length * 1.5);
}

/** A copy of a typed array with room for `length` elements, the ones past its own zero. */
export function resized<T extends Uint8Array | Uint32Array>(array: T, length: number): T {
  const copy = new (array.constructor as new (length: number) => T)(length);
  copy.set(array);
  return copy;
}

/** Starts are 32-bit: 4 GiB of keys, some 100 million of them, is far past any provider's estate. */
const MAX_BYTES = 2 ** 32 - 1;
