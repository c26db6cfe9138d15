import type { JSONSchemaType } from 'ajv';

/** The fleet's settings, validated once at start-up. */
export interface FleetConfig {
  databaseUrl: string;
  redisUrl: string;
  /** Prefix of every Redis key and queue, so several fleets (or test runs) can share one Redis. */
  redisPrefix: string;
  /** 32-byte AES-256-GCM key (64 hex characters or base64) for credentials at rest. */
  encryptionKey: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** A targeted refresh with more targets than this becomes a full refresh. */
  refreshFullThreshold: number;
  /** Scheduled full refresh of every provider after this many minutes without one; 0 disables. */
  refreshIntervalMinutes: number;
}

/** Where each setting may come from; flags win over the environment, which wins over the config file. */
export const configSources: Record<keyof FleetConfig, { env: string; flag: string }> = {
  databaseUrl: { env: 'DATABASE_URL', flag: 'databaseUrl' },
  redisUrl: { env: 'REDIS_URL', flag: 'redisUrl' },
  redisPrefix: { env: 'FLEET_REDIS_PREFIX', flag: 'redisPrefix' },
  encryptionKey: { env: 'FLEET_ENCRYPTION_KEY', flag: 'encryptionKey' },
  logLevel: { env: 'LOG_LEVEL', flag: 'logLevel' },
  refreshFullThreshold: { env: 'FLEET_REFRESH_FULL_THRESHOLD', flag: 'refreshFullThreshold' },
  refreshIntervalMinutes: { env: 'FLEET_REFRESH_INTERVAL_MINUTES', flag: 'refreshIntervalMinutes' },
};

export const configDefaults: Partial<FleetConfig> = {
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/provider_fleet',
  redisUrl: 'redis://127.0.0.1:6379',
  redisPrefix: 'fleet',
  logLevel: 'info',
  refreshFullThreshold: 100,
  // Providers without an event stream (all of today's) need the short interval to stay fresh.
  refreshIntervalMinutes: 15,
};

export const configSchema: JSONSchemaType<FleetConfig> = {
  type: 'object',
  additionalProperties: false,
  required: ['databaseUrl', 'redisUrl', 'redisPrefix', 'encryptionKey', 'logLevel', 'refreshFullThreshold', 'refreshIntervalMinutes'],
  properties: {
    databaseUrl: { type: 'string', pattern: '^postgres(ql)?://' },
    redisUrl: { type: 'string', pattern: '^rediss?://' },
    redisPrefix: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
    encryptionKey: { type: 'string', pattern: '^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$' },
    logLevel: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    refreshFullThreshold: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    refreshIntervalMinutes: { type: 'integer', minimum: 0, maximum: 525_600 },
  },
};
