import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A bearer token of the HTTP API. Only the token's SHA-256 is stored: tokens are 32 random bytes, so a hash that
 * is fast to compute is as safe as a slow one, and a leaked table does not hand out access.
 */
@Entity('api_tokens')
export class ApiToken {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Index('api_tokens_name_key', { unique: true })
  @Column({ type: 'text' })
  name!: string;

  @Index('api_tokens_hash_key', { unique: true })
  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
