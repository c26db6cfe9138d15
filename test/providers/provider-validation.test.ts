import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { ConflictError, ValidationError } from '../../src/errors';
import { validateProviderInput, type ProviderInput } from '../../src/providers/provider-input';
import { ProviderStore } from '../../src/providers/provider-store';
import { providerType } from '../../src/providers/provider-types';
import { testEnv } from '../support/test-env';

/** A valid demo provider input; each call has a fresh name and fresh objects, as validation fills in defaults. */
function demoInput(overrides: Partial<ProviderInput> = {}): ProviderInput {
  return {
    type: 'demo', name: `validation-${randomBytes(4).toString('hex')}`, region: 'us-east-1',
    config: { endpoint: 'http://127.0.0.1:1' },
    credentials: { accessKey: 'access', secretKey: 'secret' },
    ...overrides,
  };
}

async function rowCounts(): Promise<{ providers: number; authentications: number }> {
  const [row] = await testEnv().dataSource.query(
    'SELECT (SELECT count(*) FROM providers)::int AS providers, (SELECT count(*) FROM authentications)::int AS authentications',
  );
  return row;
}

describe('provider input validation', () => {
  let store: ProviderStore;

  before(() => {
    const env = testEnv();
    store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger });
  });

  /** Creates a provider expecting a rejection, checks that nothing was written, and returns the error. */
  async function rejectedCreate(input: ProviderInput): Promise<Error> {
    const before = await rowCounts();
    const error = await store.create(input, { verify: false }).then(
      () => expect.fail(`provider ${input.name} was created`),
      (e: unknown) => e as Error,
    );
    expect(await rowCounts()).to.deep.equal(before);
    return error;
  }

  describe('through ProviderStore.create', () => {
    it('stores a valid provider with its schema defaults filled in', async () => {
      const before = await rowCounts();
      const input = demoInput();
      const provider = await store.create(input, { verify: false });

      expect(provider.config).to.deep.equal({ endpoint: 'http://127.0.0.1:1', pageSize: 1000, timeoutSeconds: 30 });
      expect(await rowCounts()).to.deep.equal({ providers: before.providers + 1, authentications: before.authentications + 1 });
    });

    it('refuses an endpoint that carries credentials, so they never sit in plain config', async () => {
      const error = await rejectedCreate(demoInput({ config: { endpoint: 'http://admin:hunter2@127.0.0.1:1/' } }));

      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message).to.match(/^config\.endpoint: /);
      expect(error.message).to.not.contain('hunter2');
    });

    it('refuses a name of digits only, which commands would read as an id', async () => {
      const error = await rejectedCreate(demoInput({ name: '42' }));

      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message).to.match(/^name: /);
    });

    it('names config.endpoint when the endpoint is not a URL, in words rather than its pattern', async () => {
      const error = await rejectedCreate(demoInput({ config: { endpoint: 'not-a-url' } }));

      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message).to.equal('config.endpoint: must be an http:// or https:// URL without user:password@, at most 2048 characters');
    });

    it('names every wrong setting at once', async () => {
      const error = await rejectedCreate(demoInput({ config: { endpoint: 'http://user:pw@127.0.0.1:1', pageSize: 0, colour: 'blue' } }));

      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message.split('; ').sort()).to.deep.equal([
        'config.colour: is not a known setting',
        'config.endpoint: must be an http:// or https:// URL without user:password@, at most 2048 characters',
        'config.pageSize: must be >= 1',
      ]);
    });

    it('names credentials.secretKey when the secret key is missing', async () => {
      const error = await rejectedCreate(demoInput({ credentials: { accessKey: 'access' } }));

      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message).to.equal('credentials.secretKey: is required');
    });

    it('names an unknown config setting', async () => {
      const error = await rejectedCreate(demoInput({ config: { endpoint: 'http://127.0.0.1:1', colour: 'blue' } }));

      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message).to.equal('config.colour: is not a known setting');
    });

    it('names config.pageSize when it is out of range', async () => {
      const error = await rejectedCreate(demoInput({ config: { endpoint: 'http://127.0.0.1:1', pageSize: 0 } }));

      expect(error.message).to.match(/^config\.pageSize: /);
    });

    it('rejects config that is not an object', async () => {
      const error = await rejectedCreate(demoInput({ config: 'http://127.0.0.1:1' }));

      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message).to.match(/^config: /);
    });

    it('names the region when it is unknown, listing the known ones', async () => {
      const error = await rejectedCreate(demoInput({ region: 'mars-1' }));

      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message).to.equal('region: unknown region "mars-1" (one of us-east-1, eu-west-1, ap-south-1)');
    });

    it('names the region when it is missing', async () => {
      const error = await rejectedCreate(demoInput({ region: null }));

      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message).to.match(/^region: is required/);
    });

    it('rejects an empty name', async () => {
      const error = await rejectedCreate(demoInput({ name: '   ' }));

      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message).to.match(/^name: /);
    });

    it('names an unknown provider type and the known types', async () => {
      const error = await rejectedCreate(demoInput({ type: 'openstack' }));

      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message).to.equal('unknown provider type "openstack" (known types: demo, kubernetes, vmware)');
    });

    it('does not take inherited object properties for provider types', async () => {
      const error = await rejectedCreate(demoInput({ type: 'constructor' }));

      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message).to.include('unknown provider type "constructor"');
    });

    it('refuses a second provider with the same name with a ConflictError', async () => {
      const first = await store.create(demoInput(), { verify: false });
      const error = await rejectedCreate(demoInput({ name: first.name }));

      expect(error).to.be.instanceOf(ConflictError);
      expect(error.message).to.equal(`a provider named "${first.name}" already exists`);
    });
  });

  describe('validateProviderInput', () => {
    const demo = providerType('demo');

    it('accepts a valid input and fills in the defaults', () => {
      const input = demoInput();

      expect(validateProviderInput(demo, input)).to.equal(null);
      expect(input.config).to.deep.equal({ endpoint: 'http://127.0.0.1:1', pageSize: 1000, timeoutSeconds: 30 });
    });

    it('names a credential of the wrong type', () => {
      expect(validateProviderInput(demo, demoInput({ credentials: { accessKey: 'a', secretKey: 42 } })))
        .to.match(/^credentials\.secretKey: /);
    });

    it('rejects credentials that are missing altogether', () => {
      expect(validateProviderInput(demo, demoInput({ credentials: undefined }))).to.match(/^credentials: /);
    });

    it('rejects a zone with characters outside its alphabet', () => {
      expect(validateProviderInput(demo, demoInput({ zone: 'zone one' }))).to.match(/^zone: /);
    });
  });
});
