import type { DataSource } from 'typeorm';
import { Provider, type ProviderData, type ProviderDataKey, type RecordedError, type SetupState } from '../models';

/** Keys of a provider's data that hold a recorded failure. */
export type ErrorKey = { [K in ProviderDataKey]: NonNullable<ProviderData[K]> extends RecordedError ? K : never }[ProviderDataKey];

/** A provider's setup as recorded: where it stands, and why it failed when it did. */
export interface SetupRecord {
  state: SetupState;
  error: string | null;
}

/**
 * The state the fleet keeps for one provider, each key with its own type: its data (`provider_data`: event
 * position, the workers' last failures, crash streaks) and where its setup stands. A write changes one key at once
 * (a partial JSONB update), so workers of different roles writing their own keys never undo each other's, and the
 * row is written only when the value changes.
 */
export class ProviderState {
  constructor(
    private readonly dataSource: DataSource,
    readonly providerId: string,
  ) {}

  /** One key of the provider's data; null when it is not set (or the provider is gone). */
  async get<K extends ProviderDataKey>(key: K): Promise<NonNullable<ProviderData[K]> | null> {
    const [row] = await this.dataSource.query('SELECT provider_data->$2::text AS value FROM providers WHERE id = $1', [this.providerId, key]);
    return (row?.value as NonNullable<ProviderData[K]> | null | undefined) ?? null;
  }

  /** Sets one key of the provider's data; null removes it. */
  async set<K extends ProviderDataKey>(key: K, value: ProviderData[K] | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE providers SET provider_data = CASE WHEN $3::jsonb IS NULL THEN provider_data - $2::text ELSE jsonb_set(provider_data, ARRAY[$2::text], $3::jsonb) END
        WHERE id = $1 AND (provider_data->$2::text) IS DISTINCT FROM $3::jsonb`,
      [this.providerId, key, value === null || value === undefined ? null : JSON.stringify(value)],
    );
  }

  /** Records a failure under its key, stamped with the time; null clears it (the work succeeded again). */
  async recordError(key: ErrorKey, message: string | null): Promise<void> {
    await this.set(key, message === null ? null : { message, at: new Date().toISOString() });
  }

  /** Where the provider's setup stands now (pending for a provider that is gone: nothing has been set up). */
  async setup(): Promise<SetupRecord> {
    const found = await this.dataSource.getRepository(Provider).findOne({ select: { setupState: true, setupError: true }, where: { id: this.providerId } });
    return { state: found?.setupState ?? 'pending', error: found?.setupError ?? null };
  }

  async recordSetup(record: SetupRecord): Promise<void> {
    await this.dataSource.getRepository(Provider).update({ id: this.providerId }, { setupState: record.state, setupError: record.error });
  }

  /** The message of a failure recorded in a loaded provider's data, as the API shows it. */
  static errorOf(provider: Provider, key: ErrorKey): string | null {
    const recorded: unknown = provider.providerData[key];
    // Written by this class only, but read back from JSON: a value of any other shape shows as no error.
    const message = (recorded as Partial<RecordedError> | null | undefined)?.message;
    return typeof message === 'string' ? message : null;
  }
}
