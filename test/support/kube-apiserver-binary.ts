import { accessSync, constants, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ENSURE_SCRIPT = resolve(__dirname, '..', '..', '..', 'scripts', 'ensure-kube-apiserver.sh');
const DEFAULT_CACHE_DIR = '/var/cache/provider-fleet';

/**
 * The kube-apiserver the tests run: `KUBE_APISERVER_BIN` (as CI sets it), else where scripts/ensure-kube-apiserver.sh
 * caches its build. Debian has no kube-apiserver package, so a machine without it cannot run these tests: that is a
 * failure that says how to fix it, never a silent skip.
 */
export function kubeApiserverBinary(): string {
  const fromEnv = process.env.KUBE_APISERVER_BIN;
  const binary = fromEnv !== undefined && fromEnv !== '' ? fromEnv : cachedBinaryPath();
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    const missing = fromEnv !== undefined && fromEnv !== '' ? `KUBE_APISERVER_BIN (${binary}) is not an executable`
      : `there is no kube-apiserver at ${binary}`;
    throw new Error(`${missing}: the Kubernetes tests run a real kube-apiserver; run scripts/ensure-kube-apiserver.sh ` +
      '(it builds it once per machine and prints its path) and set KUBE_APISERVER_BIN to that path');
  }
  return binary;
}

/** The path the script caches the binary at: its version comes from the script, so the two never disagree. */
function cachedBinaryPath(): string {
  const version = /^KUBERNETES_VERSION=(\S+)$/m.exec(readFileSync(ENSURE_SCRIPT, 'utf8'))?.[1];
  if (version === undefined) throw new Error(`${ENSURE_SCRIPT} names no KUBERNETES_VERSION`);
  const cacheDir = process.env.PROVIDER_FLEET_CACHE || DEFAULT_CACHE_DIR; // empty means unset, as in the script
  return join(cacheDir, `kube-apiserver-${version}`, 'kube-apiserver');
}
