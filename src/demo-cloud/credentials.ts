import { createHash, timingSafeEqual } from 'node:crypto';

export interface DemoCloudCredentials {
  accessKey: string;
  secretKey: string;
}

/** Compares in constant time (over digests, so lengths may differ) so the simulator does not teach timing leaks. */
export function credentialsMatch(expected: DemoCloudCredentials, accessKey: unknown, secretKey: unknown): boolean {
  if (typeof accessKey !== 'string' || typeof secretKey !== 'string') return false;
  const accessOk = timingSafeEqual(digest(accessKey), digest(expected.accessKey));
  const secretOk = timingSafeEqual(digest(secretKey), digest(expected.secretKey));
  return accessOk && secretOk;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
