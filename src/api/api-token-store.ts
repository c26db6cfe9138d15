import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { ChangeFeed } from '../db/change-feed';
import { connectionConfig } from '../db/connection-config';
import { isUniqueViolation } from '../db/constraint-violations';
import { ConflictError, FleetError, NotFoundError, ValidationError } from '../errors';
import type { Logger } from '../logging/logger';
import { ApiToken } from '../models';

const TOKEN_PREFIX = 'pft_';
/** The most hashes remembered as refused (so that guessing costs no queries) and as accepted: a bound on memory. */
const MAX_REMEMBERED = 10_000;
/** last_used_at is a hint for operators, written at most this often per token. */
const LAST_USED_RESOLUTION_MS = 60_000;
const CHECK_SQL = 'SELECT id, name, token_hash FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL';
/**
 * How long an accepted token is trusted without a lookup, at most: the bound on a revocation that no notification
 * reported (a listening connection that broke without a sign). Any revocation or deletion, by any process, is
 * notified by a trigger on api_tokens (channel below) and forgets every accepted token at once.
 */
export const ACCEPTED_TOKEN_TTL_MS = 1_000;
const CHANGES_CHANNEL = 'api_tokens_changed';

/** The live token a request presented: who asks (tasks record its name). */
export interface AuthenticatedToken {
  id: string;
  name: string;
}

/** A token as listed: never the token itself, which is shown once when created. */
export interface ApiTokenSummary {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/**
 * The API's bearer tokens: created, listed and revoked by `fleet token`, checked on every API request. A token is
 * looked up in the database (by its hash, on a unique index); once accepted, it is trusted without a lookup while
 * PostgreSQL reports no change to the tokens and for at most ACCEPTED_TOKEN_TTL_MS. So a revocation, written by any
 * process, holds on every server as soon as PostgreSQL's notification arrives, and within the TTL whatever happens;
 * while a server cannot hear notifications it looks up every request.
 */
export class ApiTokenStore {
  /** Hashes that named no live token: a revoked token stays revoked, and an unknown hash never becomes a token. */
  private readonly refused = new Set<string>();
  private readonly lastUsedWritten = new Map<string, number>();
  /** Tokens accepted by hash: the token, and the feed's generation and the time it was looked up at. */
  private readonly accepted = new Map<string, { token: AuthenticatedToken; generation: number; at: number }>();
  private changes: ChangeFeed | undefined;

  constructor(private readonly dataSource: DataSource, private readonly now: () => number = Date.now) {}

  /**
   * Creates a token; the returned token is the only time it exists outside its holder's hands. With `replace`, a
   * token of the same name is deleted first (the quickstart's token, new at every start).
   */
  async create(name: string, options: { replace?: boolean } = {}): Promise<{ token: string; summary: ApiTokenSummary }> {
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) throw new ValidationError('name: must be 1-64 letters, digits, dots, dashes, underscores or @');
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const repository = this.dataSource.getRepository(ApiToken);
    try {
      if (options.replace) await repository.delete({ name });
      const saved = await repository.save(repository.create({ name, tokenHash: hashOf(token) }));
      return { token, summary: summarize(saved) };
    } catch (error: unknown) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(`a token named "${name}" already exists`, { cause: error });
      }
      throw error;
    }
  }

  async list(): Promise<ApiTokenSummary[]> {
    return (await this.dataSource.getRepository(ApiToken).find({ order: { id: 'ASC' } })).map(summarize);
  }

  /** Revokes a token by id or name; requests with it are refused from then on, on every server. */
  async revoke(idOrName: string): Promise<ApiTokenSummary> {
    const repository = this.dataSource.getRepository(ApiToken);
    const found = /^\d+$/.test(idOrName) ? await repository.findOneBy({ id: idOrName }) : await repository.findOneBy({ name: idOrName });
    if (!found) throw new NotFoundError(`no token "${idOrName}"`);
    if (!found.revokedAt) {
      found.revokedAt = new Date(this.now());
      await repository.update({ id: found.id }, { revokedAt: found.revokedAt });
      // This store refuses it from now on; others as soon as PostgreSQL's notification reaches them.
      this.accepted.clear();
    }
    return summarize(found);
  }

  /** The live token `presented` is, or null. */
  async authenticate(presented: string): Promise<AuthenticatedToken | null> {
    if (!presented.startsWith(TOKEN_PREFIX) || presented.length > 100) return null;
    const hash = hashOf(presented);
    if (this.refused.has(hash)) return null;
    const changes = this.changes;
    const known = this.accepted.get(hash);
    const now = this.now();
    if (known && changes?.listening && known.generation === changes.generation && now - known.at < ACCEPTED_TOKEN_TTL_MS) {
      this.noteUse(known.token.id, now);
      return known.token;
    }
    // A change heard while the lookup runs may be a revocation the lookup did not see: its answer is not kept then.
    const generation = changes?.listening ? changes.generation : undefined;
    // This runs on every request: a prepared statement on the unique index, sent to the driver's pool directly, as
    // TypeORM's query runner would cost more than the lookup itself.
    const { rows: [found] } = await this.pool().query<{ id: string; name: string; token_hash: string }>({ name: 'api-token-check', text: CHECK_SQL, values: [hash] });
    // The index lookup already matched the hash; comparing again in constant time keeps the check honest if the
    // lookup ever becomes a prefix or range match.
    const valid = found !== undefined && timingSafeEqual(Buffer.from(found.token_hash), Buffer.from(hash));
    if (!valid) {
      if (this.refused.size >= MAX_REMEMBERED) this.refused.clear();
      this.refused.add(hash);
      return null;
    }
    const token = { id: found.id, name: found.name };
    if (generation !== undefined) {
      if (this.accepted.size >= MAX_REMEMBERED) this.accepted.clear();
      this.accepted.set(hash, { token, generation, at: now });
    }
    this.noteUse(found.id, now);
    return token;
  }

  /**
   * Starts listening for changes to the tokens, which lets this store keep the tokens it accepted (an API server
   * does; a store that never listens looks up every check).
   */
  async listen(logger: Logger): Promise<void> {
    this.changes ??= new ChangeFeed(connectionConfig(this.dataSource, 'provider-fleet-api-tokens'), CHANGES_CHANNEL, logger);
    await this.changes.start();
  }

  /** The notifications of changes to the tokens, once listen() was called. */
  get changeFeed(): ChangeFeed | undefined {
    return this.changes;
  }

  /** Stops listening for changes. */
  async close(): Promise<void> {
    await this.changes?.close();
    this.changes = undefined;
  }

  /** The pg pool the data source opened (once it is initialized). */
  private pool(): Pool {
    const { driver } = this.dataSource;
    if (!(driver instanceof PostgresDriver)) throw new FleetError('API tokens are stored in PostgreSQL only');
    // TypeORM types its pg pool loosely; it is the pg Pool the data source opened.
    return driver.master as Pool;
  }

  private noteUse(tokenId: string, now: number): void {
    if ((this.lastUsedWritten.get(tokenId) ?? 0) + LAST_USED_RESOLUTION_MS > now) return;
    this.lastUsedWritten.set(tokenId, now);
    // A hint only: a failed write is not worth failing or slowing the request for.
    void this.dataSource.getRepository(ApiToken).update({ id: tokenId }, { lastUsedAt: new Date(now) }).catch(() => undefined);
  }
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function summarize(token: ApiToken): ApiTokenSummary {
  return { id: token.id, name: token.name, createdAt: token.createdAt, lastUsedAt: token.lastUsedAt, revokedAt: token.revokedAt };
}
