import { resolve } from 'node:path';
import type { Cassette, CassettePlayer } from '../../src/testing/cassette';
import { CassetteShelf } from '../../src/testing/cassette-shelf';

export * from '../../src/testing/cassette';

/** Where the fleet's own cassettes are kept in the repository (tests run from dist/test/support). */
export const CASSETTE_DIR = resolve(__dirname, '..', '..', '..', 'test', 'cassettes');

/** The fleet's cassettes: `test/cassettes/<type>/<name>.json`. */
export const FLEET_CASSETTES = new CassetteShelf(CASSETTE_DIR);

export function loadCassette<S>(name: string): Cassette<S> {
  return FLEET_CASSETTES.load<S>(name);
}

export function writeCassette<S>(name: string, cassette: Cassette<S>, secrets: readonly string[]): void {
  FLEET_CASSETTES.write(name, cassette, secrets);
}

export function replayCassette<S>(name: string): CassettePlayer<S> {
  return FLEET_CASSETTES.replay<S>(name);
}
