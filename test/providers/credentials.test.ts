import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { CredentialsCipher } from '../../src/crypto/credentials-cipher';
import { startDemoCloud, type RunningDemoCloud } from '../../src/demo-cloud';
import { FleetError, InvalidCredentialsError } from '../../src/errors';
import type { Provider } from '../../src/models';
import type { ProviderInput } from '../../src/providers/provider-input';
import { ProviderStore } from '../../src/providers/provider-store';
import { refreshProvider } from '../../src/workers/refresh/refresh-provider';
import { capturedLogger, type CapturedLogger } from '../support/captured-logger';
import { testEnv } from '../support/test-env';

const SECRET_KEY = 'S3cr3t-never-log-me';
const ACCESS_KEY = 'AK-fleet-distinctive-access';
const WRONG_SECRET = 'Wr0ng-s3cret-never-log-me';

describe('provider credentials', () => {
  let cloud: RunningDemoCloud;
  let log: CapturedLogger;
  let store: ProviderStore;

  before(async () => {
    cloud = await startDemoCloud({ port: 0, vms: 10, seed: 3, accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
    log = capturedLogger('trace');
    const env = testEnv();
    store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: log.logger });
  });
  after(async () => {
    await cloud.close();
  });

  function input(secretKey: string): ProviderInput {
    return {
      type: 'demo', name: `creds-${randomBytes(4).toString('hex')}`, region: 'us-east-1',
      config: { endpoint: cloud.url, pageSize: 4 }, credentials: { accessKey: ACCESS_KEY, secretKey },
    };
  }

  async function providerNamed(name: string): Promise<unknown[]> {
    return testEnv().dataSource.query('SELECT id FROM providers WHERE name = $1', [name]);
  }

  function refresh(provider: Provider, storeToUse = store) {
    return refreshProvider({
      dataSource: testEnv().dataSource, store: storeToUse, logger: log.logger, provider: provider.name, source: 'cli', fullThreshold: 100,
    });
  }

  describe('verification against the cloud', () => {
    it('refuses a wrong secret key with "invalid credentials" and stores nothing', async () => {
      const wrong = input(WRONG_SECRET);
      const error = await store.create(wrong).then(() => expect.fail('created with a wrong secret'), (e: unknown) => e);

      expect(error).to.be.instanceOf(InvalidCredentialsError);
      expect((error as Error).message).to.equal('invalid credentials');
      expect(await providerNamed(wrong.name)).to.deep.equal([]);
    });

    it('stores a provider whose keys the cloud accepts, marking its credentials valid', async () => {
      const provider = await store.create(input(SECRET_KEY));

      const [authentication] = await testEnv().dataSource.query(
        'SELECT status, last_valid_at FROM authentications WHERE provider_id = $1', [provider.id],
      );
      expect(authentication.status).to.equal('valid');
      expect(authentication.last_valid_at).to.be.instanceOf(Date);
    });
  });

  describe('at rest', () => {
    let provider: Provider;
    let other: Provider;

    before(async () => {
      provider = await store.create(input(SECRET_KEY));
      other = await store.create(input(SECRET_KEY));
      await refresh(provider);
    });

    it('keeps the keys out of the sealed credentials', async () => {
      const [{ sealed_credentials: sealed }] = await testEnv().dataSource.query(
        'SELECT sealed_credentials FROM authentications WHERE provider_id = $1', [provider.id],
      );

      expect(sealed).to.match(/^v1\./);
      for (const key of [SECRET_KEY, ACCESS_KEY]) {
        expect(sealed).not.to.include(key);
        expect(sealed).not.to.include(Buffer.from(key).toString('base64'));
      }
    });

    it('keeps the keys out of every column of providers, authentications and refresh runs', async () => {
      const rows: { row: string }[] = await testEnv().dataSource.query(`
        SELECT row_to_json(p)::text AS row FROM providers p
        UNION ALL SELECT row_to_json(a)::text FROM authentications a
        UNION ALL SELECT row_to_json(r)::text FROM refresh_runs r`);

      expect(rows.some(({ row }) => row.includes(provider.name))).to.equal(true);
      for (const { row } of rows) {
        expect(row).not.to.include(SECRET_KEY);
        expect(row).not.to.include(ACCESS_KEY);
      }
    });

    it('opens the credentials for their own provider', async () => {
      const instance = await store.ready(provider, log.logger);

      await instance.verifyCredentials();
    });

    it('does not open credentials moved onto another provider', async () => {
      const { dataSource } = testEnv();
      await dataSource.query(
        `UPDATE authentications SET sealed_credentials = (SELECT sealed_credentials FROM authentications WHERE provider_id = $1)
         WHERE provider_id = $2`,
        [provider.id, other.id],
      );

      const error = await store.ready(other, log.logger).then(() => expect.fail('opened moved credentials'), (e: unknown) => e);
      expect(error).to.be.instanceOf(FleetError);
      expect((error as Error).message).to.equal('stored credentials cannot be decrypted (wrong encryption key?)');
    });

    it('does not open credentials with another encryption key', async () => {
      const env = testEnv();
      const otherKeyStore = new ProviderStore({
        dataSource: env.dataSource, cipher: new CredentialsCipher(CredentialsCipher.generateKey()), logger: log.logger,
      });

      const error = await otherKeyStore.ready(provider, log.logger).then(() => expect.fail('opened with another key'), (e: unknown) => e);
      expect((error as Error).message).to.equal('stored credentials cannot be decrypted (wrong encryption key?)');
    });
  });

  describe('in logs', () => {
    it('never logs the keys while adding, failing to add, refreshing and failing to refresh', async () => {
      const { logger, text, lines } = capturedLogger('trace');
      const env = testEnv();
      const loggingStore = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger });
      const run = (provider: Provider) => refreshProvider({
        dataSource: env.dataSource, store: loggingStore, logger, provider: provider.id, source: 'cli', fullThreshold: 100,
      });

      const good = await loggingStore.create(input(SECRET_KEY));
      await loggingStore.create(input(WRONG_SECRET)).then(() => expect.fail('created with a wrong secret'), () => undefined);
      const outcome = await run(good);
      const unverified = await loggingStore.create(input(WRONG_SECRET), { verify: false });
      const failure = await run(unverified).then(() => expect.fail('refreshed with a wrong secret'), (e: unknown) => e);

      expect(outcome.status).to.equal('ok');
      expect(failure).to.be.instanceOf(InvalidCredentialsError);
      const events = lines().map((line) => line.event);
      expect(events).to.include.members(['refresh.started', 'refresh.finished', 'refresh.failed']);
      for (const key of [SECRET_KEY, WRONG_SECRET, ACCESS_KEY]) expect(text()).not.to.include(key);
    });

    it('redacts credentials even when code logs them by mistake', () => {
      const { logger, text } = capturedLogger('trace');

      logger.info({ credentials: { secretKey: SECRET_KEY } }, 'whole credentials');
      logger.info({ options: { secretKey: SECRET_KEY, headers: { 'x-secret-key': SECRET_KEY } } }, 'nested keys');
      logger.child({ provider: { credentials: { accessKey: ACCESS_KEY } } }).info('child bindings');

      expect(text()).to.include('[Redacted]');
      expect(text()).not.to.include(SECRET_KEY);
      expect(text()).not.to.include(ACCESS_KEY);
    });
  });
});

describe('CredentialsCipher', () => {
  const cipher = new CredentialsCipher(CredentialsCipher.generateKey());

  it('generates keys of 32 bytes as 64 hex characters, different every time', () => {
    const key = CredentialsCipher.generateKey();

    expect(key).to.match(/^[0-9a-f]{64}$/);
    expect(CredentialsCipher.generateKey()).not.to.equal(key);
  });

  it('opens what it sealed with the same associated data', () => {
    const sealed = cipher.encrypt('{"secretKey":"x"}', 'authentications:1:default');

    expect(cipher.decrypt(sealed, 'authentications:1:default')).to.equal('{"secretKey":"x"}');
  });

  it('seals the same plaintext differently every time', () => {
    expect(cipher.encrypt('same', 'ad')).not.to.equal(cipher.encrypt('same', 'ad'));
  });

  it('refuses a tampered ciphertext', () => {
    const [version, iv, tag, body] = cipher.encrypt('{"secretKey":"tamper-me"}', 'ad').split('.');
    const bytes = Buffer.from(body, 'base64');
    bytes[0] ^= 0x01;
    const tampered = [version, iv, tag, bytes.toString('base64')].join('.');

    expect(() => cipher.decrypt(tampered, 'ad')).to.throw(FleetError, 'cannot be decrypted');
  });

  it('refuses a tampered authentication tag', () => {
    const [version, iv, tag, body] = cipher.encrypt('payload', 'ad').split('.');
    const bytes = Buffer.from(tag, 'base64');
    bytes[bytes.length - 1] ^= 0x80;

    expect(() => cipher.decrypt([version, iv, bytes.toString('base64'), body].join('.'), 'ad')).to.throw(FleetError, 'cannot be decrypted');
  });

  it('refuses other associated data', () => {
    const sealed = cipher.encrypt('payload', 'authentications:1:default');

    expect(() => cipher.decrypt(sealed, 'authentications:2:default')).to.throw(FleetError, 'cannot be decrypted');
  });

  it('reports a sealed value of an unknown format', () => {
    expect(() => cipher.decrypt('plain text', 'ad')).to.throw(FleetError, 'unknown format');
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new CredentialsCipher('abcd')).to.throw(FleetError, 'encryption key must be 32 bytes');
    expect(() => new CredentialsCipher(Buffer.alloc(16).toString('base64'))).to.throw(FleetError, 'encryption key must be 32 bytes');
  });

  it('accepts a base64 key and opens nothing sealed with a different key', () => {
    const base64 = new CredentialsCipher(randomBytes(32).toString('base64'));

    expect(() => base64.decrypt(cipher.encrypt('payload', 'ad'), 'ad')).to.throw(FleetError, 'cannot be decrypted');
  });
});
