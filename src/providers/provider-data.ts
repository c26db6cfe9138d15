import type { DataSource } from 'typeorm';

/**
 * Sets one key of a provider's data (the state the fleet keeps for it: event position, worker crashes, stream
 * errors), or removes it for null; the row is written only when the value changes.
 */
export async function setProviderData(dataSource: DataSource, providerId: string, key: string, value: unknown): Promise<void> {
  await dataSource.query(
    `UPDATE providers SET provider_data = CASE WHEN $3::jsonb IS NULL THEN provider_data - $2 ELSE jsonb_set(provider_data, ARRAY[$2], $3::jsonb) END
      WHERE id = $1 AND (provider_data->$2) IS DISTINCT FROM $3::jsonb`,
    [providerId, key, value === null || value === undefined ? null : JSON.stringify(value)],
  );
}
