import type { KubeConfig } from '@kubernetes/client-node';
import { PrivateKubeApiserver } from './private-kube-apiserver';

/** The run's Kubernetes API server, as tests use it. */
export interface RunningKube {
  /** https://127.0.0.1:<port> */
  url: string;
  /** The CA certificate (PEM) its serving certificate verifies against. */
  caPem: string;
  /** A token of a user in system:masters. */
  adminToken: string;
  /** A token of an authenticated user that RBAC refuses everything (403). */
  noRightsToken: string;
  /** A token of a user no role is bound to until a test binds one. */
  readerToken: string;
  /** A KubeConfig of the admin, verifying TLS against `caPem`. */
  kubeConfig: KubeConfig;
  /** A KubeConfig for the same server with another bearer token. */
  kubeConfigFor(token: string): KubeConfig;
  /** Stops the server and its etcd, leaves nothing listening for `pauseMs`, and starts them again (same data). */
  restart(pauseMs: number): Promise<void>;
  /** Makes etcd forget the changes before now, as the API server's periodic compaction does: older versions get 410 Gone. */
  compactHistory(): Promise<void>;
}

let apiserver: PrivateKubeApiserver | undefined;
let running: Promise<RunningKube> | undefined;

/**
 * The run's one kube-apiserver (and etcd), started by the first test that asks for it (~6 s) and stopped by the
 * mocha root hooks; runs that never ask pay nothing. Tests share it, so each works in namespaces of its own.
 * A failed start fails every test that asks, with its reason.
 */
export function testKube(): Promise<RunningKube> {
  running ??= startKube();
  return running;
}

/** Stops the run's API server if a test started it; the root hooks call it after all tests. */
export async function stopTestKube(): Promise<void> {
  const server = apiserver;
  apiserver = undefined;
  running = undefined;
  await server?.stop();
}

async function startKube(): Promise<RunningKube> {
  const server = (apiserver = new PrivateKubeApiserver());
  await server.start();
  // Loaded here, not at import: the root hooks import this file, and runs that never ask for the server should not
  // pay for loading the client either.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const { url, caPem, adminToken, noRightsToken, readerToken } = server;
  const kubeConfigFor = (token: string): KubeConfig => kubeConfigOf(new KubeConfig(), url, caPem, token);
  return {
    url, caPem, adminToken, noRightsToken, readerToken, kubeConfig: kubeConfigFor(adminToken), kubeConfigFor,
    restart: (pauseMs) => server.restart(pauseMs),
    compactHistory: () => server.compactHistory(),
  };
}

/** Fills `kubeConfig` with one context: the server at `server`, its TLS checked against `caPem`, as the holder of `token`. */
export function kubeConfigOf(kubeConfig: KubeConfig, server: string, caPem: string, token: string): KubeConfig {
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fleet-test', server, caData: Buffer.from(caPem).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'fleet-test-user', token }],
    contexts: [{ name: 'fleet-test', cluster: 'fleet-test', user: 'fleet-test-user' }],
    currentContext: 'fleet-test',
  });
  return kubeConfig;
}
