import type { Provider } from '../../src/models';
import type { AnyProvider } from '../../src/providers/provider';
import { ProviderStore } from '../../src/providers/provider-store';
import type { RefreshOutcome } from '../../src/core/refresh/refresh-outcome';
import { refreshProvider } from '../../src/workers/refresh/refresh-provider';
import { replayCassette } from './cassette';
import { liveNames, uniqueName } from './kube-fixture';
import { testEnv } from './test-env';

/**
 * A provider in the run's database whose server is a cassette: configured with the replay origin and the replay
 * credentials, so only a cassette can answer it (nothing listens there, and the network is closed while one plays).
 * Each provider type's cassette fixture registers its provider as its recordings were made.
 */
export class CassetteFixture {
  protected constructor(readonly store: ProviderStore, readonly provider: Provider) {}

  /** Registers a provider of `type` (not verified: the cassette is not playing yet). */
  protected static async register(type: string, config: Record<string, unknown>, credentials: Record<string, unknown>): Promise<{ store: ProviderStore; provider: Provider }> {
    const env = testEnv();
    const store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger });
    const provider = await store.create({ type, name: uniqueName(`${type}-cassette`), config, credentials }, { verify: false });
    return { store, provider };
  }

  /** A full refresh answered by cassette `name`, which must be played through exactly (else this fails). */
  async refreshWith(name: string): Promise<RefreshOutcome> {
    const player = replayCassette(name);
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

  /** Every row of `table` of the provider, in id order. */
  rows(table: string): Promise<Record<string, unknown>[]> {
    return testEnv().dataSource.query(`SELECT * FROM ${table} WHERE provider_id = $1 ORDER BY id`, [this.provider.id]);
  }
}
