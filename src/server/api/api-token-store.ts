import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { isUniqueViolation } from '../../db/unique-violation';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { ApiToken } from '../../models';

const TOKEN_PREFIX = 'pft_';
/** How long a checked token is believed without asking the database again; also how late a revocation bites. */
const CACHE_MS = 10_000;
/** last_used_at is a hint for operators, written at most this often per token. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** A token as listed: never the token itself, which is shown once when created. */
export interface ApiTokenSummary {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface CachedCheck {
  tokenId: string | null;
  until: number;
}

/** The API's bearer tokens: created, listed and revoked by `fleet token`, checked on every API request. */
export class ApiTokenStore {
  private readonly checked = new Map<string, CachedCheck>();
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

  /** Revokes a token by id or name; requests with it are refused from then on (within the check cache's life). */
  async revoke(idOrName: string): Promise<ApiTokenSummary> {
    const repository = this.dataSource.getRepository(ApiToken);
    const found = /^\d+$/.test(idOrName) ? await repository.findOneBy({ id: idOrName }) : await repository.findOneBy({ name: idOrName });
    if (!found) throw new NotFoundError(`no token "${idOrName}"`);
    if (!found.revokedAt) {
      found.revokedAt = new Date(this.now());
      await repository.update({ id: found.id }, { revokedAt: found.revokedAt });
    }
    for (const [hash, check] of this.checked) if (check.tokenId === found.id) this.checked.delete(hash);
    return summarize(found);
  }

  /** The id of the live token `presented` is, or null. Failed checks are cached too, so guessing costs no queries. */
  async authenticate(presented: string): Promise<string | null> {
    if (!presented.startsWith(TOKEN_PREFIX) || presented.length > 100) return null;
    const hash = hashOf(presented);
    const now = this.now();
    const cached = this.checked.get(hash);
    if (cached && cached.until > now) return cached.tokenId;
    const found = await this.dataSource.getRepository(ApiToken).findOneBy({ tokenHash: hash });
    // The index lookup already matched the hash; comparing again in constant time keeps the check honest if the
    // lookup ever becomes a prefix or range match.
    const valid = found !== null && found.revokedAt === null && timingSafeEqual(Buffer.from(found.tokenHash), Buffer.from(hash));
    const tokenId = valid ? found.id : null;
    if (this.checked.size > 10_000) this.checked.clear();
    this.checked.set(hash, { tokenId, until: now + CACHE_MS });
    if (tokenId) this.noteUse(tokenId, now);
    return tokenId;
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
