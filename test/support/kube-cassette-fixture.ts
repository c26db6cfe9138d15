import type { Provider } from '../../src/models';
import type { AnyProvider } from '../../src/providers/provider';
import { ProviderStore } from '../../src/providers/provider-store';
import type { RefreshOutcome } from '../../src/core/refresh/refresh-outcome';
import { refreshProvider } from '../../src/workers/refresh/refresh-provider';
import { CassettePlayer, REPLAY_ORIGIN, REPLAY_TOKEN } from './cassette';
import { liveNames, uniqueName } from './kube-fixture';
import { testEnv } from './test-env';

/**
 * A `kubernetes` provider in the run's database whose API server is a cassette: its URL is the replay origin and its
 * token the replay token, so only a cassette can answer it (nothing listens there, and the network is closed while
 * one plays). Configured as the recorded scenario was: one namespace, its page size.
 */
export class KubeCassetteFixture {
  private constructor(readonly store: ProviderStore, readonly provider: Provider) {}

  static async create(scenario: { namespace: string; pageSize?: number }): Promise<KubeCassetteFixture> {
    const env = testEnv();
    const store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger });
    const provider = await store.create({
      type: 'kubernetes', name: uniqueName('kube-cassette'),
      config: {
        server: REPLAY_ORIGIN, caCertificate: null, insecureSkipTlsVerify: false, namespaces: [scenario.namespace],
        pageSize: scenario.pageSize ?? 500, timeoutSeconds: 30,
      },
      credentials: { token: REPLAY_TOKEN },
    }, { verify: false });
    return new KubeCassetteFixture(store, provider);
  }

  /** A full refresh answered by cassette `name`, which must be played through exactly (else this fails). */
  async refreshWith(name: string): Promise<RefreshOutcome> {
    const player = CassettePlayer.replay(name);
    try {
      const env = testEnv();
      const outcome = await refreshProvider({ dataSource: env.dataSource, store: this.store, logger: env.logger, provider: this.provider.id, source: 'cli', fullThreshold: 100 });
      player.assertPlayed();
      return outcome;
    } finally {
      player.stop();
    }
  }

  /** The provider as the event catcher builds it. */
  async instance(): Promise<AnyProvider> {
    return this.store.ready(this.provider, testEnv().logger);
  }

  /** Names of the live (not archived) rows of `table` of the provider, sorted. */
  names(table: string): Promise<string[]> {
    return liveNames(table, this.provider.id);
  }

  /** How many rows of `table` the provider has meeting `where`. */
  async count(table: string, where = 'true'): Promise<number> {
    const [row]: { count: string }[] = await testEnv().dataSource.query(`SELECT count(*) FROM ${table} WHERE provider_id = $1 AND (${where})`, [this.provider.id]);
    return Number(row.count);
  }
}
