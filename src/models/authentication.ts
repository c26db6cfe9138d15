import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Provider } from './provider';

/** A provider's credentials, sealed with AES-256-GCM; the plaintext exists only in memory while in use. */
@Entity('authentications')
@Index('authentications_provider_authtype_key', ['providerId', 'authtype'], { unique: true })
export class Authentication {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'provider_id', type: 'bigint' })
  providerId!: string;

  @ManyToOne(() => Provider, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'provider_id' })
  provider?: Provider;

  @Column({ type: 'text', default: 'default' })
  authtype!: string;

  /** `v1.<iv>.<tag>.<ciphertext>`; see CredentialsCipher. */
  @Column({ name: 'sealed_credentials', type: 'text' })
  sealedCredentials!: string;

  @Column({ type: 'text', default: 'unknown' })
  status!: 'valid' | 'invalid' | 'unknown';

  @Column({ name: 'status_details', type: 'text', nullable: true })
  statusDetails!: string | null;

  @Column({ name: 'last_valid_at', type: 'timestamptz', nullable: true })
  lastValidAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
