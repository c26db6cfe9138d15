import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { ConfigError } from '../../src/errors';

const KEY = 'ab'.repeat(32);
const OTHER_KEY = 'cd'.repeat(32);

/** Runs loadConfig expecting a ConfigError, and returns it. */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error: unknown) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  expect.fail('loadConfig accepted an invalid configuration');
}

describe('loadConfig', () => {
  let dir: string;
  /** A config file no test names, so that a ./fleet.config.json in the working directory is never picked up. */
  let emptyFile: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-config-'));
    emptyFile = join(dir, 'empty.json');
    writeFileSync(emptyFile, '{}');
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function file(name: string, content: string): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  it('fills every setting but the encryption key with its default', () => {
    const config = loadConfig({ env: { FLEET_ENCRYPTION_KEY: KEY }, configFile: emptyFile });

    expect(config).to.deep.equal({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/provider_fleet',
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: 'fleet',
      encryptionKey: KEY,
      logLevel: 'info',
      logFormat: 'auto',
      refreshFullThreshold: 100,
      refreshIntervalMinutes: 15,
      refreshIntervalWithEventsMinutes: 1440,
      refreshIntervalsByType: {},
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
    });
  });

  it('takes flags over the environment, and the environment over the config file', () => {
    const configFile = file('layers.json', JSON.stringify({
      encryptionKey: KEY, logLevel: 'error', redisPrefix: 'from-file', databaseUrl: 'postgres://file/db', refreshFullThreshold: 7,
    }));
    const config = loadConfig({
      configFile,
      env: { LOG_LEVEL: 'warn', FLEET_REDIS_PREFIX: 'from-env', DATABASE_URL: 'postgres://env/db' },
      flags: { logLevel: 'debug', databaseUrl: 'postgres://flag/db' },
    });

    expect(config.logLevel).to.equal('debug');
    expect(config.databaseUrl).to.equal('postgres://flag/db');
    expect(config.redisPrefix).to.equal('from-env');
    expect(config.refreshFullThreshold).to.equal(7);
    expect(config.encryptionKey).to.equal(KEY);
  });

  it('ignores empty environment variables and flags left undefined', () => {
    const configFile = file('prefix.json', JSON.stringify({ redisPrefix: 'from-file' }));
    const config = loadConfig({ configFile, env: { FLEET_ENCRYPTION_KEY: KEY, FLEET_REDIS_PREFIX: '' }, flags: { redisPrefix: undefined } });

    expect(config.redisPrefix).to.equal('from-file');
  });

  it('reads the file named by FLEET_CONFIG when no config file is given', () => {
    const configFile = file('by-env.json', JSON.stringify({ encryptionKey: KEY, redisPrefix: 'named-by-env' }));

    expect(loadConfig({ env: { FLEET_CONFIG: configFile } }).redisPrefix).to.equal('named-by-env');
  });

  it('coerces numbers given as strings in the environment', () => {
    const config = loadConfig({ env: { FLEET_ENCRYPTION_KEY: KEY, FLEET_REFRESH_FULL_THRESHOLD: '250' }, configFile: emptyFile });

    expect(config.refreshFullThreshold).to.equal(250);
  });

  it('accepts a base64 encryption key', () => {
    const base64Key = Buffer.alloc(32, 7).toString('base64');

    expect(loadConfig({ env: { FLEET_ENCRYPTION_KEY: base64Key }, configFile: emptyFile }).encryptionKey).to.equal(base64Key);
  });

  it('reports every bad setting in one error, naming each setting and its environment variable', () => {
    const error = configError(() => loadConfig({
      configFile: emptyFile,
      env: { DATABASE_URL: 'mysql://x', FLEET_ENCRYPTION_KEY: 'short', FLEET_REFRESH_FULL_THRESHOLD: '0', LOG_LEVEL: 'chatty' },
    }));

    expect(error.problems).to.have.length(4);
    for (const named of [
      'databaseUrl (DATABASE_URL)', 'encryptionKey (FLEET_ENCRYPTION_KEY)',
      'refreshFullThreshold (FLEET_REFRESH_FULL_THRESHOLD)', 'logLevel (LOG_LEVEL)',
    ]) {
      expect(error.message).to.include(named);
    }
    expect(error.message).to.include('fleet key generate');
  });

  it('reports a missing encryption key', () => {
    const error = configError(() => loadConfig({ env: {}, configFile: emptyFile }));

    expect(error.problems).to.have.length(1);
    expect(error.message).to.include('encryptionKey (FLEET_ENCRYPTION_KEY)');
  });

  it('never repeats the value of a bad encryption key', () => {
    const badKey = 'not-a-key-but-still-a-secret-0123456789';
    const fromEnv = configError(() => loadConfig({ env: { FLEET_ENCRYPTION_KEY: badKey }, configFile: emptyFile }));
    const fromFile = configError(() => loadConfig({ env: {}, configFile: file('bad-key.json', JSON.stringify({ encryptionKey: badKey })) }));

    for (const error of [fromEnv, fromFile]) {
      expect(error.message).to.include('encryptionKey (FLEET_ENCRYPTION_KEY)');
      expect(error.message).not.to.include(badKey);
      expect(JSON.stringify(error.problems)).not.to.include(badKey);
    }
  });

  it('keeps a good key out of the error when other settings are bad', () => {
    const error = configError(() => loadConfig({ env: { FLEET_ENCRYPTION_KEY: OTHER_KEY, REDIS_URL: 'http://nope' }, configFile: emptyFile }));

    expect(error.message).to.include('redisUrl (REDIS_URL)');
    expect(error.message).not.to.include(OTHER_KEY);
  });

  it('reports an explicitly named config file that does not exist', () => {
    const missing = join(dir, 'missing.json');
    const error = configError(() => loadConfig({ env: { FLEET_ENCRYPTION_KEY: KEY }, configFile: missing }));

    expect(error.message).to.include(`config file ${missing} does not exist`);
  });

  it('reports a config file that is not JSON, and still lists the other problems', () => {
    const broken = file('broken.json', '{\n  "logLevel": "info",\n  "encryptionKey": }\n');
    const error = configError(() => loadConfig({ env: { DATABASE_URL: 'mysql://x' }, configFile: broken }));

    // Where it breaks, and nothing of its text (which may hold the key).
    expect(error.message).to.include(`config file ${broken} is not valid JSON: value expected at line 3, column 20`);
    expect(error.message).not.to.include('logLevel');
    expect(error.message).to.include('databaseUrl (DATABASE_URL)');
    expect(error.message).to.include('encryptionKey (FLEET_ENCRYPTION_KEY)');
  });

  it('reports a config file that holds JSON but not an object', () => {
    const list = file('list.json', '["databaseUrl"]');
    const error = configError(() => loadConfig({ env: { FLEET_ENCRYPTION_KEY: KEY }, configFile: list }));

    expect(error.message).to.include(`config file ${list} must hold a JSON object`);
  });

  it('reports an unknown setting in the config file by name', () => {
    const typo = file('typo.json', JSON.stringify({ encryptionKey: KEY, databseUrl: 'postgres://x/y' }));
    const error = configError(() => loadConfig({ env: {}, configFile: typo }));

    expect(error.problems).to.deep.equal(['databseUrl: unknown setting']);
  });

  it('reads settings that are objects or lists as JSON from the environment, and names the one that is not JSON', () => {
    const config = loadConfig({
      env: { FLEET_ENCRYPTION_KEY: KEY, FLEET_REFRESH_INTERVALS_BY_TYPE: '{"demo": 60, "vmware": 0}', FLEET_PROVIDER_TYPE_MODULES: '["./types/mine.js"]' },
      configFile: emptyFile,
    });
    expect(config.refreshIntervalsByType).to.deep.equal({ demo: 60, vmware: 0 });
    expect(config.providerTypeModules).to.deep.equal(['./types/mine.js']);

    const error = configError(() => loadConfig({ env: { FLEET_ENCRYPTION_KEY: KEY, FLEET_REFRESH_INTERVALS_BY_TYPE: 'demo=60' }, configFile: emptyFile }));
    expect(error.problems[0]).to.equal('refreshIntervalsByType (FLEET_REFRESH_INTERVALS_BY_TYPE): must be JSON, e.g. {"demo": 60}');
  });

  it('refuses a negative or fractional interval for a type', () => {
    const bad = file('intervals.json', JSON.stringify({ encryptionKey: KEY, refreshIntervalsByType: { demo: -5 } }));
    const error = configError(() => loadConfig({ env: {}, configFile: bad }));
    expect(error.problems).to.deep.equal(['refreshIntervalsByType.demo (FLEET_REFRESH_INTERVALS_BY_TYPE): must be >= 0']);
  });
});
