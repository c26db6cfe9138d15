import { generateKeyPair, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

/** The user of `readerToken`, for a test to bind a role to. */
export const KUBE_READER_USER = 'fleet-test-reader';

/** The files and tokens a test kube-apiserver authenticates with, made fresh for each run (nothing committed). */
export interface KubeCredentials {
  /** A user in system:masters: every right, as a cluster admin's kubeconfig has. */
  adminToken: string;
  /** An authenticated user no role is bound to: RBAC refuses it everything beyond discovery (403). */
  noRightsToken: string;
  /** An authenticated user no role is bound to until a test binds one (the ClusterRole the README gives operators). */
  readerToken: string;
  /** The static token file (`--token-auth-file`). */
  tokenFile: string;
  /** The service account key pair (`--service-account-key-file`, `--service-account-signing-key-file`). */
  serviceAccountPublicKeyFile: string;
  serviceAccountPrivateKeyFile: string;
}

/** Writes the credentials' files into `dir` (private to the run). */
export async function createKubeCredentials(dir: string): Promise<KubeCredentials> {
  const adminToken = randomBytes(24).toString('hex');
  const noRightsToken = randomBytes(24).toString('hex');
  const readerToken = randomBytes(24).toString('hex');
  const tokenFile = join(dir, 'tokens.csv');
  // token,user,uid,"group1,group2"
  await writeFile(tokenFile, [
    `${adminToken},fleet-test-admin,fleet-test-admin-uid,system:masters`,
    `${noRightsToken},fleet-test-nobody,fleet-test-nobody-uid`,
    `${readerToken},${KUBE_READER_USER},fleet-test-reader-uid`,
    '',
  ].join('\n'), { mode: 0o600 });
  // The API server signs service account tokens with it; it will not start without one.
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const serviceAccountPublicKeyFile = join(dir, 'service-account.pub');
  const serviceAccountPrivateKeyFile = join(dir, 'service-account.key');
  await writeFile(serviceAccountPublicKeyFile, publicKey);
  await writeFile(serviceAccountPrivateKeyFile, privateKey, { mode: 0o600 });
  return { adminToken, noRightsToken, readerToken, tokenFile, serviceAccountPublicKeyFile, serviceAccountPrivateKeyFile };
}
