import type { DataSource, EntityManager } from 'typeorm';
import { CredentialsCipher } from '../crypto/credentials-cipher';
import { isUniqueViolation } from '../db/constraint-violations';
import { ConflictError, describeError, NotFoundError, ProviderConstructionError, ValidationError } from '../errors';
import { childLogger, type Logger } from '../logging/logger';
import { Authentication, Provider } from '../models';
import type { AnyProvider, AnyProviderType, ProviderOptions } from './provider';
import { validateProviderInput, type ProviderInput } from './provider-input';
import { completeSetup } from './provider-setup';
import { refreshIntervalProblem } from './refresh-interval';
import { providerType, providerTypes } from './provider-types';

const DEFAULT_AUTHTYPE = 'default';
/** How long a credentials check may take before it counts as the provider not answering. */
const VERIFY_TIMEOUT_MS = 30_000;

export interface ProviderStoreOptions {
  dataSource: DataSource;
  cipher: CredentialsCipher;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
  types?: Readonly<Record<string, AnyProviderType>>;
}

/** Fleet settings of a provider: whether the fleet serves it, and its refresh interval (null: the type's). */
/** What an update may change; absent fields stay as they are. */
export interface ProviderChanges extends ProviderSettings {
  name?: string;
  zone?: string;
  /** Merged into the stored config, setting by setting. */
  config?: Record<string, unknown>;
  /** Replaces the stored credentials whole. */
  credentials?: unknown;
}

export interface ProviderSettings {
  enabled?: boolean;
  refreshIntervalMinutes?: number | null;
}

/**
 * Providers and their credentials in the database. Credentials are sealed before they are stored and opened only
 * to build a provider instance; they never leave this class in any other form.
 */
export class ProviderStore {
  private readonly types: Readonly<Record<string, AnyProviderType>>;
  private readonly fetch: typeof globalThis.fetch;

  constructor(private readonly options: ProviderStoreOptions) {
    this.types = options.types ?? providerTypes;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  typeOf(type: string): AnyProviderType {
    return providerType(type, this.types);
  }

  /** The names of the provider types this store knows. */
  typeNames(): string[] {
    return Object.keys(this.types);
  }

  /**
   * Validates, verifies the credentials against the provider (unless told not to), and stores a new provider.
   * Nothing is written when any step fails.
   */
  async create(input: ProviderInput, options: { verify?: boolean } = {}): Promise<Provider> {
    await this.verify(input, { verify: options.verify ?? true });
    const { dataSource, cipher } = this.options;
    const duplicate = duplicateName(input.name);
    return dataSource.transaction(async (manager) => {
      if (await manager.findOneBy(Provider, { name: input.name })) throw duplicate();
      const provider = await manager.save(manager.create(Provider, {
        type: input.type, name: input.name, zone: input.zone ?? 'default', region: input.region ?? null,
        config: input.config as Record<string, unknown>, refreshIntervalMinutes: input.refreshIntervalMinutes ?? null,
      }));
      await manager.save(manager.create(Authentication, {
        providerId: provider.id, authtype: DEFAULT_AUTHTYPE,
        sealedCredentials: cipher.encrypt(JSON.stringify(input.credentials), associatedData(provider.id)),
        status: options.verify === false ? 'unknown' : 'valid',
        lastValidAt: options.verify === false ? null : new Date(),
      }));
      return provider;
    }).catch((error: unknown) => {
      // Two creates racing past the check above meet at the unique index.
      if (isUniqueViolation(error)) throw duplicate(error);
      throw error;
    });
  }

  /** The check the add-provider form's Validate button runs: same as before saving, without saving. */
  async verify(input: ProviderInput, options: { verify?: boolean } = {}): Promise<void> {
    const type = this.typeOf(input.type);
    const problem = validateProviderInput(type, input);
    if (problem) throw new ValidationError(problem);
    if (options.verify === false) return;
    // Checks a provider that may never be saved: nothing is set up for it (setup comes with the record, in ready()).
    const instance = this.construct(type, {
      id: null, name: input.name, region: input.region ?? null, config: input.config, credentials: input.credentials,
      logger: this.options.logger.child({ provider: input.name }), fetch: this.fetch,
    });
    await instance.verifyCredentials(AbortSignal.timeout(VERIFY_TIMEOUT_MS));
  }

  async list(): Promise<Provider[]> {
    return this.options.dataSource.getRepository(Provider).find({ order: { id: 'ASC' } });
  }

  /** A provider by id or name. */
  async get(idOrName: string): Promise<Provider> {
    // What no provider can be called is not asked for: ids past bigint, text PostgreSQL cannot hold (NUL).
    if (/^\d{19,}$/.test(idOrName) || idOrName.includes('\u0000')) throw new NotFoundError(`no provider "${idOrName.slice(0, 64)}"`);
    const repository = this.options.dataSource.getRepository(Provider);
    const provider = /^\d+$/.test(idOrName)
      ? await repository.findOneBy({ id: idOrName })
      : await repository.findOneBy({ name: idOrName });
    if (!provider) throw new NotFoundError(`no provider "${idOrName}"`);
    return provider;
  }

  /** Changes a provider's fleet settings (not its config or credentials); returns the provider as changed. */
  async updateSettings(idOrName: string, settings: ProviderSettings): Promise<Provider> {
    const problem = refreshIntervalProblem(settings.refreshIntervalMinutes);
    if (problem) throw new ValidationError(problem);
    if (settings.enabled !== undefined && typeof settings.enabled !== 'boolean') throw new ValidationError('enabled: must be true or false');
    const provider = await this.get(idOrName);
    const changes: Partial<Pick<Provider, 'enabled' | 'refreshIntervalMinutes'>> = {};
    if (settings.enabled !== undefined) changes.enabled = settings.enabled;
    if (settings.refreshIntervalMinutes !== undefined) changes.refreshIntervalMinutes = settings.refreshIntervalMinutes;
    if (Object.keys(changes).length === 0) return provider;
    await this.options.dataSource.getRepository(Provider).update({ id: provider.id }, changes);
    return { ...provider, ...changes };
  }

  /**
   * Changes a provider: its name, zone, settings, config (merged into the stored one) or credentials (replaced
   * whole). The result is validated like a new provider's, and verified against the provider when its config or
   * credentials change (unless told not to); nothing is written when a step fails. Returns the provider as changed.
   */
  async update(idOrName: string, changes: ProviderChanges, options: { verify?: boolean } = {}): Promise<Provider> {
    const provider = await this.get(idOrName);
    const { dataSource, cipher } = this.options;
    const reachesProvider = changes.config !== undefined || changes.credentials !== undefined;
    const credentials = changes.credentials ?? (reachesProvider ? await this.credentials(dataSource.manager, provider.id) : undefined);
    const input: ProviderInput = {
      type: provider.type, name: changes.name ?? provider.name, zone: changes.zone ?? provider.zone, region: provider.region,
      config: { ...provider.config, ...changes.config }, credentials: credentials ?? {},
      refreshIntervalMinutes: changes.refreshIntervalMinutes === undefined ? provider.refreshIntervalMinutes : changes.refreshIntervalMinutes,
    };
    if (credentials === undefined) {
      // Unchanged credentials are not opened; only the rest is checked.
      const problem = validateProviderInput(this.typeOf(provider.type), input, { skipCredentials: true });
      if (problem) throw new ValidationError(problem);
    } else {
      await this.verify(input, { verify: reachesProvider && (options.verify ?? true) });
    }
    if (changes.enabled !== undefined && typeof changes.enabled !== 'boolean') throw new ValidationError('enabled: must be true or false');
    const duplicate = duplicateName(input.name);
    await dataSource.transaction(async (manager) => {
      if (input.name !== provider.name && await manager.findOneBy(Provider, { name: input.name })) throw duplicate();
      await manager.save(Provider, Object.assign(provider, {
        name: input.name, zone: input.zone, config: input.config as Record<string, unknown>, refreshIntervalMinutes: input.refreshIntervalMinutes ?? null,
        enabled: changes.enabled ?? provider.enabled,
      }));
      if (changes.credentials !== undefined) {
        await manager.update(Authentication, { providerId: provider.id, authtype: DEFAULT_AUTHTYPE }, {
          sealedCredentials: cipher.encrypt(JSON.stringify(changes.credentials), associatedData(provider.id)),
          status: options.verify === false ? 'unknown' : 'valid', lastValidAt: options.verify === false ? null : new Date(),
        });
      }
    }).catch((error: unknown) => {
      if (isUniqueViolation(error)) throw duplicate(error);
      throw error;
    });
    return this.get(provider.id);
  }

  /**
   * Checks a saved provider's stored credentials against the provider, once its setup has completed, recording the
   * result on its credentials (ManageIQ's authentication status). Throws what the check threw; a provider that
   * could not be built or set up throws that, and its credentials' status stays as it was (they were not checked).
   */
  async verifySaved(idOrName: string, logger: Logger): Promise<Provider> {
    const provider = await this.get(idOrName);
    // A user is waiting: another process's setup of this provider is waited for no longer than the check itself.
    const instance = await this.ready(provider, childLogger(logger, { provider: provider.name }), { setupWaitMs: VERIFY_TIMEOUT_MS });
    const repository = this.options.dataSource.getRepository(Authentication);
    try {
      await instance.verifyCredentials(AbortSignal.timeout(VERIFY_TIMEOUT_MS));
    } catch (error: unknown) {
      await repository.update({ providerId: provider.id, authtype: DEFAULT_AUTHTYPE }, { status: 'invalid' });
      throw error;
    }
    await repository.update({ providerId: provider.id, authtype: DEFAULT_AUTHTYPE }, { status: 'valid', lastValidAt: new Date() });
    return provider;
  }

  /** Deletes a provider with its credentials, inventory, refresh runs and change history. */
  async delete(idOrName: string): Promise<Provider> {
    const provider = await this.get(idOrName);
    await this.options.dataSource.transaction(async (manager) => {
      // By run, the history's key (its runs go with the provider).
      await manager.query('DELETE FROM inventory_changes WHERE refresh_run_id IN (SELECT id FROM refresh_runs WHERE provider_id = $1)', [provider.id]);
      await manager.delete(Provider, { id: provider.id });
    });
    return provider;
  }

  /**
   * The one way a role gets a provider to call (Taskcluster's lifecycle): an instance whose setup() has completed,
   * run now if the provider is not set up yet (see completeSetup for several processes at once). A constructor that
   * throws (a ProviderConstructionError) or a failing setup (recorded on the provider) fails only this provider's
   * work: each role records it where it records its own failures and tries again later.
   */
  async ready(provider: Provider, logger: Logger, options: { setupWaitMs?: number } = {}): Promise<AnyProvider> {
    const instance = await this.instantiate(provider, logger);
    await completeSetup({ dataSource: this.options.dataSource, provider, instance, logger, waitMs: options.setupWaitMs });
    return instance;
  }

  /** A live provider instance with its credentials opened, not set up yet (ready() sets it up). */
  private async instantiate(provider: Provider, logger: Logger): Promise<AnyProvider> {
    const credentials = await this.credentials(this.options.dataSource.manager, provider.id);
    return this.construct(this.typeOf(provider.type), {
      id: provider.id, name: provider.name, region: provider.region, config: provider.config, credentials, logger, fetch: this.fetch,
    });
  }

  /** Runs a type's constructor, which must not fail; one that does is that type's fault, told as such. */
  private construct(type: AnyProviderType, options: ProviderOptions<unknown, unknown>): AnyProvider {
    try {
      return type.create(options);
    } catch (error: unknown) {
      throw new ProviderConstructionError(`provider type "${type.type}" could not build provider "${options.name}": ${describeError(error)}`, { cause: error });
    }
  }

  /**
   * The names of the providers whose stored credentials this store's key does not open: a database set up with
   * another encryption key (a second checkout's new config against an existing database) shows here before any
   * worker fails on it.
   */
  async unreadableCredentials(): Promise<string[]> {
    const rows: { providerId: string; name: string; sealed: string }[] = await this.options.dataSource.query(
      `SELECT a.provider_id AS "providerId", p.name, a.sealed_credentials AS sealed
         FROM authentications a JOIN providers p ON p.id = a.provider_id
        WHERE a.authtype = $1 ORDER BY p.name`, [DEFAULT_AUTHTYPE]);
    return rows.filter((row) => !this.opens(row.sealed, row.providerId)).map((row) => row.name);
  }

  private opens(sealed: string, providerId: string): boolean {
    try {
      this.options.cipher.decrypt(sealed, associatedData(providerId));
      return true;
    } catch {
      return false;
    }
  }

  private async credentials(manager: EntityManager, providerId: string): Promise<unknown> {
    const authentication = await manager.findOneBy(Authentication, { providerId, authtype: DEFAULT_AUTHTYPE });
    if (!authentication) throw new NotFoundError(`provider ${providerId} has no credentials`);
    return JSON.parse(this.options.cipher.decrypt(authentication.sealedCredentials, associatedData(providerId)));
  }
}

/** The error for a provider name already taken (found by the check, or by the unique index when two race). */
function duplicateName(name: string): (cause?: unknown) => ConflictError {
  return (cause) => new ConflictError(`a provider named "${name}" already exists`, { cause });
}

/** Binds sealed credentials to their provider, so a ciphertext moved to another row fails to open. */
function associatedData(providerId: string): string {
  return `authentications:${providerId}:${DEFAULT_AUTHTYPE}`;
}
