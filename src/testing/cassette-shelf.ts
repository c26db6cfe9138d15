import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertNoSecrets, CassettePlayer, scrub, type Cassette } from './cassette';
import { CassetteRecording, type LiveApi } from './cassette-recording';

/** A cassette in use by a test: replayed, or recorded. */
export interface CassetteSession {
  /** Fails unless the test made exactly the cassette's requests (replayed); writes the cassette (recorded). */
  assertPlayed(): void;
  stop(): void;
}

/**
 * The cassettes of a test suite, kept as `<directory>/<name>.json` (a name may hold a folder: `kubernetes/throttled`),
 * loaded only when they hold no credential and written only scrubbed. With `record`, `use` records against that live
 * API instead of replaying (see CassetteRecording); a cassette holding an interaction the recorder made up (a fault
 * a live API does not produce on demand) is still replayed.
 */
export class CassetteShelf {
  constructor(readonly directory: string, private readonly options: { record?: LiveApi } = {}) {}

  /**
   * The shelf as the environment asks: FLEET_CASSETTES=record records against FLEET_CASSETTE_ENDPOINT with
   * FLEET_CASSETTE_TOKEN; unset (or replay), it replays.
   */
  static fromEnvironment(directory: string, env: NodeJS.ProcessEnv = process.env): CassetteShelf {
    const mode = env.FLEET_CASSETTES ?? 'replay';
    if (mode === 'replay') return new CassetteShelf(directory);
    if (mode !== 'record') throw new Error(`FLEET_CASSETTES must be replay or record, not "${mode}"`);
    const endpoint = env.FLEET_CASSETTE_ENDPOINT;
    const token = env.FLEET_CASSETTE_TOKEN;
    if (!endpoint || !token) throw new Error('FLEET_CASSETTES=record needs FLEET_CASSETTE_ENDPOINT (the live API\'s URL) and FLEET_CASSETTE_TOKEN');
    return new CassetteShelf(directory, { record: { endpoint, token } });
  }

  path(name: string): string {
    return join(this.directory, `${name}.json`);
  }

  load<S>(name: string): Cassette<S> {
    const cassette = JSON.parse(readFileSync(this.path(name), 'utf8')) as Cassette<S>;
    assertNoSecrets(cassette, `cassette ${name}`);
    return cassette;
  }

  write<S>(name: string, cassette: Cassette<S>, secrets: readonly string[]): void {
    const scrubbed = scrub(cassette, secrets);
    mkdirSync(dirname(this.path(name)), { recursive: true });
    writeFileSync(this.path(name), `${JSON.stringify(scrubbed, null, 2)}\n`);
  }

  /** Plays cassette `name` until its player is stopped. */
  replay<S>(name: string): CassettePlayer<S> {
    return CassettePlayer.play(name, this.load<S>(name));
  }

  /** Cassette `name` for a test: replayed, or recorded when the shelf records and the cassette is no made-up fault. */
  use(name: string): CassetteSession {
    const live = this.options.record;
    if (live === undefined) return this.replay(name);
    const existing = existsSync(this.path(name)) ? this.load(name) : undefined;
    if (existing?.interactions.some((i) => i.madeByRecorder !== undefined)) return this.replay(name);
    return CassetteRecording.start(live, existing?.description ?? name, (cassette) => this.write(name, cassette, [live.token]));
  }
}
