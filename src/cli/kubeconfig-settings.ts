import { readFileSync } from 'node:fs';
import { ValidationError, describeError } from '../errors';

/** A kubernetes provider's config and credentials as a kubeconfig gives them. */
export interface KubeconfigSettings {
  config: { server: string; caCertificate?: string; insecureSkipTlsVerify?: boolean };
  credentials: { token: string };
}

/**
 * Reads what `fleet provider add --type kubernetes --kubeconfig FILE [--context NAME]` takes from a kubeconfig, as
 * kubectl would read it: the context's cluster (server, CA as data or file, skip-verify) and its user's bearer token
 * (inline or from its token file). A user that authenticates another way (client certificates, an exec or auth
 * provider plugin) is refused with a message that says so: the type takes a bearer token. No value read here is ever
 * part of a message.
 */
export async function kubeconfigSettings(file: string, contextName?: string): Promise<KubeconfigSettings> {
  // Loaded here only: the client is an ES module that takes a while to load, and only this option needs it.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(file);
  } catch (error: unknown) {
    throw new ValidationError(`kubeconfig ${file} cannot be read: ${describeError(error)}`);
  }
  const contexts = kubeConfig.getContexts().map((context) => context.name);
  const name = contextName ?? kubeConfig.getCurrentContext();
  if (!contexts.includes(name)) {
    throw new ValidationError(contextName === undefined
      ? `kubeconfig ${file} names no current context; give one with --context (it has: ${contexts.join(', ') || 'none'})`
      : `kubeconfig ${file} has no context "${contextName}" (it has: ${contexts.join(', ') || 'none'})`);
  }
  kubeConfig.setCurrentContext(name);
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  if (!cluster) throw new ValidationError(`kubeconfig ${file}: context "${name}" names a cluster the file does not have`);
  if (!user?.token) {
    throw new ValidationError(`kubeconfig ${file}: the user of context "${name}" has no bearer token (client certificates and `
      + 'exec or auth-provider plugins are not taken); give a token with --credential token=... or --credentials-file');
  }
  const caCertificate = cluster.caData !== undefined ? Buffer.from(cluster.caData, 'base64').toString('utf8')
    : cluster.caFile !== undefined ? readCaFile(file, cluster.caFile) : undefined;
  return {
    config: {
      server: cluster.server, ...(caCertificate !== undefined ? { caCertificate } : {}), ...(cluster.skipTLSVerify ? { insecureSkipTlsVerify: true } : {}),
    },
    credentials: { token: user.token.trim() },
  };
}

function readCaFile(file: string, caFile: string): string {
  try {
    return readFileSync(caFile, 'utf8');
  } catch (error: unknown) {
    throw new ValidationError(`kubeconfig ${file}: its certificate-authority ${caFile} cannot be read: ${describeError(error)}`);
  }
}
