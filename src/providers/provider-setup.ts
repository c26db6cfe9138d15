import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { connectionConfig } from '../db/connection-config';
import { ConflictError, describeError } from '../errors';
import type { Logger } from '../logging/logger';
import type { Provider } from '../models';
import type { AnyProvider } from './provider';
import { ProviderState } from './provider-state';

/** Serializes one provider's setup across processes (two-key advisory lock: this namespace, the provider). */
const SETUP_LOCK_NAMESPACE = 1875;

export interface SetupRequest {
  dataSource: DataSource;
  /** The provider as loaded: one whose setup it shows as ready is not looked up again. */
  provider: Provider;
  instance: AnyProvider;
  logger: Logger;
  /**
   * How long to wait for another process's setup of this provider before giving up with a ConflictError; by default
   * as long as it takes (a role's work waits; a user's request should not).
   */
  waitMs?: number;
}

/** PostgreSQL's lock_not_available: lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Completes a provider's setup, once. The rule for setup running in several processes at once: setup() must be
 * idempotent, and it runs for one provider in one process at a time, under an advisory lock held on a connection of
 * its own (so a process that dies mid-setup releases it, leaving the provider pending for the next one to set up).
 * A process that waited for the lock looks again before running it: whatever another process completed meanwhile
 * is not run twice. A failure is recorded on the provider (setup state `failed`, its message) and thrown; the next
 * attempt, in any role, runs setup again.
 */
export async function completeSetup(request: SetupRequest): Promise<void> {
  const { dataSource, provider, instance, logger } = request;
  if (provider.setupState === 'ready') return;
  const state = new ProviderState(dataSource, provider.id);
  const client = new Client(connectionConfig(dataSource, 'provider-fleet-setup'));
  // A dropped connection fails the next query with its reason; without a listener its error event would end the process.
  client.on('error', (error: Error) => logger.warn({ event: 'provider.setup_connection_lost', err: error }, 'setup lock connection lost'));
  await client.connect();
  try {
    if (request.waitMs !== undefined) await client.query(`SET lock_timeout = ${Math.max(1, Math.ceil(request.waitMs))}`);
    // Provider ids folded into 31 bits, as the refresh lock does: two providers sharing a key only take turns.
    await client.query('SELECT pg_advisory_lock($1, ($2::bigint % 2147483647)::int)', [SETUP_LOCK_NAMESPACE, provider.id]).catch((error: unknown) => {
      if ((error as { code?: unknown }).code !== LOCK_NOT_AVAILABLE) throw error;
      throw new ConflictError(`provider "${provider.name}" is being set up by another process; try again once that has ended`);
    });
    if ((await state.setup()).state === 'ready') return;
    try {
      await instance.setup();
    } catch (error: unknown) {
      logger.warn({ event: 'provider.setup_failed', err: error }, `provider setup failed: ${describeError(error)}`);
      await state.recordSetup({ state: 'failed', error: describeError(error) });
      throw error;
    }
    await state.recordSetup({ state: 'ready', error: null });
    logger.info({ event: 'provider.setup_completed' }, 'provider setup completed');
  } finally {
    await client.end().catch(() => undefined); // ending the session releases the lock
  }
}
