/**
 * The provider test kit (`provider-fleet/testing`): the cassettes every provider type's tests replay (the fleet's
 * own and generated packages alike) and a logger for providers under test. Tests only: it loads nock.
 */
import { createLogger, type Logger } from '../logging/logger';

export { CassettePlayer, REPLAY_ORIGIN, REPLAY_PASSWORD, REPLAY_TOKEN, scrub } from './cassette';
export { CassetteShelf, type CassetteSession } from './cassette-shelf';
export type { LiveApi } from './cassette-recording';
export type {
  Cassette, CassetteAuthentication, CassetteRequest, CassetteResponse, Interaction, JsonResponse, StreamEnd, StreamResponse, TextResponse,
} from './cassette';

/** A logger that writes nothing, for providers built in tests. */
export function quietLogger(): Logger {
  return createLogger({ level: 'silent' });
}
