import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { isUniqueViolation } from '../../db/unique-violation';
import { ConflictError, FleetError, NotFoundError, ValidationError } from '../../errors';
import { ApiToken } from '../../models';

const TOKEN_PREFIX = 'pft_';
/** Hashes known to name no live token, kept so that guessing costs no queries; a bound on what they may cost in memory. */
const MAX_REFUSED = 10_000;
/** last_used_at is a hint for operators, written at most this often per token. */
const LAST_USED_RESOLUTION_MS = 60_000;
const CHECK_SQL = 'SELECT id, token_hash FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL';

/** A token as listed: never the token itself, which is shown once when created. */
export interface ApiTokenSummary {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/**
 * The API's bearer tokens: created, listed and revoked by `fleet token`, checked on every API request. A live token is
 * looked up in the database (by its hash, on a unique index) on every request, so a revocation, written by any
 * process, holds for the next request on every server.
 */
export class ApiTokenStore {
  /** Hashes that named no live token: a revoked token stays revoked, and an unknown hash never becomes a token. */
  private readonly refused = new Set<string>();
  private readonly lastUsedWritten = new Map<string, number>();

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
    }
    return summarize(found);
  }

  /** The id of the live token `presented` is, or null. */
  async authenticate(presented: string): Promise<string | null> {
    if (!presented.startsWith(TOKEN_PREFIX) || presented.length > 100) return null;
    const hash = hashOf(presented);
    if (this.refused.has(hash)) return null;
    // This runs on every request: a prepared statement on the unique index, sent to the driver's pool directly, as
    // TypeORM's query runner would cost more than the lookup itself.
    const { rows: [found] } = await this.pool().query<{ id: string; token_hash: string }>({ name: 'api-token-check', text: CHECK_SQL, values: [hash] });
    // The index lookup already matched the hash; comparing again in constant time keeps the check honest if the
    // lookup ever becomes a prefix or range match.
    const valid = found !== undefined && timingSafeEqual(Buffer.from(found.token_hash), Buffer.from(hash));
    if (!valid) {
      if (this.refused.size >= MAX_REFUSED) this.refused.clear();
      this.refused.add(hash);
      return null;
    }
    this.noteUse(found.id, this.now());
    return found.id;
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
