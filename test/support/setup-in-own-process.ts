import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { CredentialsCipher } from '../../src/crypto/credentials-cipher';
import { createDataSource } from '../../src/db/data-source';
import { describeError, ProviderApiError } from '../../src/errors';
import { createLogger } from '../../src/logging/logger';
import { ProviderStore } from '../../src/providers/provider-store';
import { providerTypes } from '../../src/providers/provider-types';
import { flakyProviderType, SetupSwitches } from './flaky-provider-type';

/** The table the setups of every process write to; the test creates it. */
export const SETUP_JOURNAL = 'test_setup_journal';

/** What the test tells this process: where the fleet's database is, its key, the provider, how setup behaves. */
export interface SetupProcessInput {
  databaseUrl: string;
  encryptionKey: string;
  providerId: string;
  setupMs: number;
  /** The provider's first setup call of all (in any process) fails. */
  failFirst: boolean;
}

/**
 * Setup switches whose record is a table, shared by processes as the database is: each call is a row with its times
 * and result, written as the call starts and ends.
 */
class JournaledSwitches extends SetupSwitches {
  constructor(private readonly input: SetupProcessInput, private readonly query: (sql: string, parameters: unknown[]) => Promise<{ id: number; earlier: number }[]>) {
    super();
  }

  override async run(providerName: string): Promise<void> {
    const [{ id, earlier }] = await this.query(
      `INSERT INTO ${SETUP_JOURNAL} (provider, pid) VALUES ($1, $2)
       RETURNING id, (SELECT count(*)::int FROM ${SETUP_JOURNAL} WHERE provider = $1) AS earlier`,
      [providerName, process.pid],
    );
    let failed = false;
    try {
      await sleep(this.input.setupMs);
      if (this.input.failFirst && earlier === 0) {
        failed = true;
        throw new ProviderApiError(`flaky setup of ${providerName} failed in process ${process.pid}`);
      }
    } finally {
      await this.query(`UPDATE ${SETUP_JOURNAL} SET ended_at = clock_timestamp(), failed = $2 WHERE id = $1`, [id, failed]);
    }
  }
}

/**
 * A worker process in miniature, for the test of setup in two processes at once: it loads the provider, says
 * `loaded <setup state>`, waits for `go` on its input (so that both processes ask at once), asks for the provider
 * ready as every role does, and says `ready` or `failed: <why>`.
 */
async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2]) as SetupProcessInput;
  const dataSource = createDataSource({ databaseUrl: input.databaseUrl, poolSize: 2, applicationName: `provider-fleet-tests-setup-${process.pid}` });
  await dataSource.initialize();
  const logger = createLogger({ level: 'silent', name: 'setup-process' });
  try {
    const switches = new JournaledSwitches(input, (sql, parameters) => dataSource.query(sql, parameters));
    const store = new ProviderStore({
      dataSource, cipher: new CredentialsCipher(input.encryptionKey), logger, types: { ...providerTypes, flaky: flakyProviderType(switches) },
    });
    const provider = await store.get(input.providerId);
    process.stdout.write(`loaded ${provider.setupState}\n`);
    for await (const line of createInterface({ input: process.stdin })) if (line === 'go') break;
    const verdict = await store.ready(provider, logger).then(() => 'ready', (error: unknown) => `failed: ${describeError(error)}`);
    process.stdout.write(`${verdict}\n`);
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) void main();
