import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FleetError } from '../errors';

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * Encrypts provider credentials at rest with AES-256-GCM. The associated data binds a ciphertext to the record it
 * belongs to, so a ciphertext copied onto another provider's row does not decrypt.
 */
export class CredentialsCipher {
  private readonly key: Buffer;

  constructor(encodedKey: string) {
    this.key = decodeKey(encodedKey);
  }

  encrypt(plaintext: string, associatedData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
  }

  decrypt(sealed: string, associatedData: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined) throw new FleetError('stored credentials have an unknown format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch (error: unknown) {
      // The cause (an OpenSSL auth failure) says nothing secret, but the message stays generic on purpose.
      throw new FleetError('stored credentials cannot be decrypted (wrong encryption key?)', { cause: error });
    }
  }

  static generateKey(): string {
    return randomBytes(32).toString('hex');
  }
}

function decodeKey(encoded: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(encoded) ? Buffer.from(encoded, 'hex') : Buffer.from(encoded, 'base64');
  if (key.length !== 32) throw new FleetError('encryption key must be 32 bytes');
  return key;
}
