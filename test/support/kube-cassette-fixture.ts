import { REPLAY_ORIGIN, REPLAY_TOKEN } from './cassette';
import { CassetteFixture } from './cassette-fixture';

/**
 * A `kubernetes` provider whose API server is a cassette: its URL is the replay origin and its token the replay
 * token. Configured as the recorded scenario was: one namespace, its page size.
 */
export class KubeCassetteFixture extends CassetteFixture {
  static async create(scenario: { namespace: string; pageSize?: number }): Promise<KubeCassetteFixture> {
    const { store, provider } = await CassetteFixture.register('kubernetes', {
      server: REPLAY_ORIGIN, caCertificate: null, insecureSkipTlsVerify: false, namespaces: [scenario.namespace],
      pageSize: scenario.pageSize ?? 500, timeoutSeconds: 30,
    }, { token: REPLAY_TOKEN });
    return new KubeCassetteFixture(store, provider);
  }
}
