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
  /** Log lines as JSON, or as short human lines (`pretty`); `auto`: human lines on a terminal, JSON otherwise. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** A targeted refresh with more targets than this becomes a full refresh. */
  refreshFullThreshold: number;
  /**
   * Minutes between scheduled full refreshes of a provider whose type has no event stream; 0 disables. A type's
   * interval in `refreshIntervalsByType`, or a provider's own, wins.
   */
  refreshIntervalMinutes: number;
  /** The same for a provider whose type has an event stream: events keep it fresh in between. */
  refreshIntervalWithEventsMinutes: number;
  /** Scheduled refresh interval per provider type, in minutes (0 disables), e.g. {"demo": 60}. */
  refreshIntervalsByType: Record<string, number>;
  /**
   * Minutes a refresh may take before it is aborted and recorded as timed out (nothing of it kept), so that a
   * provider that stops answering mid-refresh cannot hold its queue: the next request runs. A type's own in
   * `refreshTimeoutsByType` wins.
   */
  refreshTimeoutMinutes: number;
  /** Refresh deadline per provider type, in minutes, e.g. {"vmware": 120}. */
  refreshTimeoutsByType: Record<string, number>;
  /** Modules of provider types that do not ship with the fleet; each exports `providerType`. */
  providerTypeModules: string[];
  /**
   * Whether the fleet catches provider events (ManageIQ's event monitor role). Off, providers of types with an
   * event stream are refreshed like those without: on the short schedule.
   */
  eventCatching: boolean;
  /** Event types the event catchers drop, per provider type, replacing the type's own list, e.g. {"demo": ["vm.alarm"]}. */
  eventFiltersByType: Record<string, string[]>;
  /**
   * Flood protection (ManageIQ's duplicate blocker): of the events that repeat one another (same type, same
   * objects), at most this many per minute are passed on; the rest are dropped and the flood is logged.
   */
  eventFloodPerMinute: number;
  /** Stored events older than this many months are purged. */
  eventRetentionMonths: number;
  /** Shared event handler processes the server keeps while any provider has an event stream. */
  eventHandlers: number;
  /** Whether the fleet collects utilization metrics (ManageIQ's C&U roles) from providers whose type has them. */
  metricsCollection: boolean;
  /** Seconds between two capture rounds of a provider's metrics collector (ManageIQ's capture timer). */
  metricsCaptureIntervalSeconds: number;
  /** An object is captured again once its last capture is this many seconds old. */
  metricsCaptureThresholdSeconds: number;
  /** After an outage, the collector fills a gap of at most this many hours; older samples are given up. */
  metricsGapLimitHours: number;
  /** Shared metrics processor processes the server keeps while any provider has metrics. */
  metricsProcessors: number;
  /** Hours realtime samples are kept (whole hourly partitions are dropped). */
  metricsRealtimeRetentionHours: number;
  /** Months hourly rollups are kept (whole monthly partitions are dropped). */
  metricsHourlyRetentionMonths: number;
  /** Months daily rollups are kept. */
  metricsDailyRetentionMonths: number;
  /** Address the server's HTTP API and web UI listen on; 127.0.0.1 keeps them off the network. */
  apiHost: string;
  /** Port of the HTTP API and web UI. */
  apiPort: number;
  /** Where the leader runs workers: as its own child processes (`local`), or as Deployments on Kubernetes. */
  orchestrator: 'local' | 'kubernetes';
  /**
   * How much nicer than the server the worker processes the local orchestrator starts run (niceness added, 0 to 19):
   * on a busy machine, operators' requests and the supervisor are served first and refreshes take what CPU is left.
   */
  workerNice: number;
  /**
   * The namespace of the workers' Deployments; empty: the server's own when it runs in a pod, else the current
   * context's of its kubeconfig, else `default`.
   */
  kubernetesNamespace: string;
  /** The image of the workers' containers: the fleet's own (its entry point is `fleet`). */
  kubernetesWorkerImage: string;
  /** The ConfigMap and the Secret holding the fleet's configuration, handed to every worker's container as its environment. */
  kubernetesConfigMap: string;
  kubernetesConfigSecret: string;
}

/** Where each setting may come from; flags win over the environment, which wins over the config file. */
export const configSources: Record<keyof FleetConfig, { env: string; flag: string }> = {
  databaseUrl: { env: 'DATABASE_URL', flag: 'databaseUrl' },
  redisUrl: { env: 'REDIS_URL', flag: 'redisUrl' },
  redisPrefix: { env: 'FLEET_REDIS_PREFIX', flag: 'redisPrefix' },
  encryptionKey: { env: 'FLEET_ENCRYPTION_KEY', flag: 'encryptionKey' },
  logLevel: { env: 'LOG_LEVEL', flag: 'logLevel' },
  logFormat: { env: 'LOG_FORMAT', flag: 'logFormat' },
  refreshFullThreshold: { env: 'FLEET_REFRESH_FULL_THRESHOLD', flag: 'refreshFullThreshold' },
  refreshIntervalMinutes: { env: 'FLEET_REFRESH_INTERVAL_MINUTES', flag: 'refreshIntervalMinutes' },
  refreshIntervalsByType: { env: 'FLEET_REFRESH_INTERVALS_BY_TYPE', flag: 'refreshIntervalsByType' },
  refreshTimeoutMinutes: { env: 'FLEET_REFRESH_TIMEOUT_MINUTES', flag: 'refreshTimeoutMinutes' },
  refreshTimeoutsByType: { env: 'FLEET_REFRESH_TIMEOUTS_BY_TYPE', flag: 'refreshTimeoutsByType' },
  providerTypeModules: { env: 'FLEET_PROVIDER_TYPE_MODULES', flag: 'providerTypeModules' },
  refreshIntervalWithEventsMinutes: { env: 'FLEET_REFRESH_INTERVAL_WITH_EVENTS_MINUTES', flag: 'refreshIntervalWithEventsMinutes' },
  eventCatching: { env: 'FLEET_EVENT_CATCHING', flag: 'eventCatching' },
  eventFiltersByType: { env: 'FLEET_EVENT_FILTERS_BY_TYPE', flag: 'eventFiltersByType' },
  eventFloodPerMinute: { env: 'FLEET_EVENT_FLOOD_PER_MINUTE', flag: 'eventFloodPerMinute' },
  eventRetentionMonths: { env: 'FLEET_EVENT_RETENTION_MONTHS', flag: 'eventRetentionMonths' },
  eventHandlers: { env: 'FLEET_EVENT_HANDLERS', flag: 'eventHandlers' },
  metricsCollection: { env: 'FLEET_METRICS_COLLECTION', flag: 'metricsCollection' },
  metricsCaptureIntervalSeconds: { env: 'FLEET_METRICS_CAPTURE_INTERVAL_SECONDS', flag: 'metricsCaptureIntervalSeconds' },
  metricsCaptureThresholdSeconds: { env: 'FLEET_METRICS_CAPTURE_THRESHOLD_SECONDS', flag: 'metricsCaptureThresholdSeconds' },
  metricsGapLimitHours: { env: 'FLEET_METRICS_GAP_LIMIT_HOURS', flag: 'metricsGapLimitHours' },
  metricsProcessors: { env: 'FLEET_METRICS_PROCESSORS', flag: 'metricsProcessors' },
  metricsRealtimeRetentionHours: { env: 'FLEET_METRICS_REALTIME_RETENTION_HOURS', flag: 'metricsRealtimeRetentionHours' },
  metricsHourlyRetentionMonths: { env: 'FLEET_METRICS_HOURLY_RETENTION_MONTHS', flag: 'metricsHourlyRetentionMonths' },
  metricsDailyRetentionMonths: { env: 'FLEET_METRICS_DAILY_RETENTION_MONTHS', flag: 'metricsDailyRetentionMonths' },
  apiHost: { env: 'FLEET_API_HOST', flag: 'apiHost' },
  apiPort: { env: 'FLEET_API_PORT', flag: 'apiPort' },
  orchestrator: { env: 'FLEET_ORCHESTRATOR', flag: 'orchestrator' },
  workerNice: { env: 'FLEET_WORKER_NICE', flag: 'workerNice' },
  kubernetesNamespace: { env: 'FLEET_KUBERNETES_NAMESPACE', flag: 'kubernetesNamespace' },
  kubernetesWorkerImage: { env: 'FLEET_KUBERNETES_WORKER_IMAGE', flag: 'kubernetesWorkerImage' },
  kubernetesConfigMap: { env: 'FLEET_KUBERNETES_CONFIG_MAP', flag: 'kubernetesConfigMap' },
  kubernetesConfigSecret: { env: 'FLEET_KUBERNETES_CONFIG_SECRET', flag: 'kubernetesConfigSecret' },
};

export const configDefaults: Partial<FleetConfig> = {
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/provider_fleet',
  redisUrl: 'redis://127.0.0.1:6379',
  redisPrefix: 'fleet',
  logLevel: 'info',
  logFormat: 'auto',
  refreshFullThreshold: 100,
  // Providers without an event stream need the short interval to stay fresh; events keep the others fresh.
  refreshIntervalMinutes: 15,
  refreshIntervalWithEventsMinutes: 24 * 60,
  refreshIntervalsByType: {},
  // Far above any healthy refresh (a million objects take minutes), far below "forever".
  refreshTimeoutMinutes: 60,
  refreshTimeoutsByType: {},
  providerTypeModules: [],
  eventCatching: true,
  eventFiltersByType: {},
  eventFloodPerMinute: 30,
  eventRetentionMonths: 6,
  eventHandlers: 2,
  metricsCollection: true,
  metricsCaptureIntervalSeconds: 180,
  metricsCaptureThresholdSeconds: 600,
  metricsGapLimitHours: 4,
  metricsProcessors: 2,
  metricsRealtimeRetentionHours: 4,
  metricsHourlyRetentionMonths: 6,
  metricsDailyRetentionMonths: 6,
  apiHost: '127.0.0.1',
  apiPort: 8700,
  orchestrator: 'local',
  workerNice: 10,
  kubernetesNamespace: '',
  kubernetesWorkerImage: 'provider-fleet:latest',
  kubernetesConfigMap: 'provider-fleet',
  kubernetesConfigSecret: 'provider-fleet',
};

/** Settings that are objects or lists: in the environment they are written as JSON. */
export const structuredSettings: ReadonlySet<keyof FleetConfig> = new Set(['refreshIntervalsByType', 'refreshTimeoutsByType', 'providerTypeModules', 'eventFiltersByType']);

export const configSchema: JSONSchemaType<FleetConfig> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'databaseUrl', 'redisUrl', 'redisPrefix', 'encryptionKey', 'logLevel', 'logFormat', 'refreshFullThreshold', 'refreshIntervalMinutes',
    'refreshIntervalsByType', 'refreshTimeoutMinutes', 'refreshTimeoutsByType', 'providerTypeModules', 'refreshIntervalWithEventsMinutes', 'eventCatching', 'eventFiltersByType', 'eventFloodPerMinute',
    'eventRetentionMonths', 'eventHandlers', 'metricsCollection', 'metricsCaptureIntervalSeconds', 'metricsCaptureThresholdSeconds',
    'metricsGapLimitHours', 'metricsProcessors', 'metricsRealtimeRetentionHours', 'metricsHourlyRetentionMonths', 'metricsDailyRetentionMonths',
    'apiHost', 'apiPort', 'orchestrator', 'workerNice', 'kubernetesNamespace', 'kubernetesWorkerImage', 'kubernetesConfigMap', 'kubernetesConfigSecret',
  ],
  properties: {
    databaseUrl: { type: 'string', pattern: '^postgres(ql)?://' },
    redisUrl: { type: 'string', pattern: '^rediss?://' },
    redisPrefix: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
    encryptionKey: { type: 'string', pattern: '^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$' },
    logLevel: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    logFormat: { type: 'string', enum: ['auto', 'json', 'pretty'] },
    refreshFullThreshold: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    refreshIntervalMinutes: { type: 'integer', minimum: 0, maximum: 525_600 },
    refreshIntervalsByType: {
      type: 'object', required: [],
      propertyNames: { pattern: '^[a-z][a-z0-9-]{0,62}$' },
      additionalProperties: { type: 'integer', minimum: 0, maximum: 525_600 },
    },
    refreshTimeoutMinutes: { type: 'integer', minimum: 1, maximum: 10_080 },
    refreshTimeoutsByType: {
      type: 'object', required: [],
      propertyNames: { pattern: '^[a-z][a-z0-9-]{0,62}$' },
      additionalProperties: { type: 'integer', minimum: 1, maximum: 10_080 },
    },
    providerTypeModules: { type: 'array', items: { type: 'string', minLength: 1 } },
    refreshIntervalWithEventsMinutes: { type: 'integer', minimum: 0, maximum: 525_600 },
    eventCatching: { type: 'boolean' },
    eventFiltersByType: {
      type: 'object', required: [],
      propertyNames: { pattern: '^[a-z][a-z0-9-]{0,62}$' },
      additionalProperties: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 } },
    },
    eventFloodPerMinute: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    eventRetentionMonths: { type: 'integer', minimum: 1, maximum: 1200 },
    eventHandlers: { type: 'integer', minimum: 1, maximum: 64 },
    metricsCollection: { type: 'boolean' },
    metricsCaptureIntervalSeconds: { type: 'integer', minimum: 1, maximum: 86_400 },
    metricsCaptureThresholdSeconds: { type: 'integer', minimum: 1, maximum: 86_400 },
    metricsGapLimitHours: { type: 'integer', minimum: 1, maximum: 168 },
    metricsProcessors: { type: 'integer', minimum: 1, maximum: 64 },
    metricsRealtimeRetentionHours: { type: 'integer', minimum: 1, maximum: 8760 },
    metricsHourlyRetentionMonths: { type: 'integer', minimum: 1, maximum: 1200 },
    metricsDailyRetentionMonths: { type: 'integer', minimum: 1, maximum: 1200 },
    apiHost: { type: 'string', minLength: 1, maxLength: 255 },
    apiPort: { type: 'integer', minimum: 0, maximum: 65_535 },
    orchestrator: { type: 'string', enum: ['local', 'kubernetes'] },
    workerNice: { type: 'integer', minimum: 0, maximum: 19 },
    kubernetesNamespace: { type: 'string', pattern: '^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?$' },
    kubernetesWorkerImage: { type: 'string', minLength: 1, maxLength: 512 },
    kubernetesConfigMap: { type: 'string', pattern: '^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$' },
    kubernetesConfigSecret: { type: 'string', pattern: '^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$' },
  },
};
