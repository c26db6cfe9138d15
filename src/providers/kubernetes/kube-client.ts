import type { Agent } from 'node:https';
import {
  ApiException, AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, VersionApi, Watch, type ConfigurationOptions,
} from '@kubernetes/client-node';
import type { V1Pod, V1Scale } from '@kubernetes/client-node';
import { HttpRetryPolicy, kubeCallOptions, ProviderApiError, withDeadline } from '../sdk';
import { sharedAgent } from './kube-agents';
import { isPermanentNetworkFailure, translateKubeError } from './kube-errors';
import { listCall, RESOURCES, type KubeApis } from './kube-resources';
import type { WatchSpec } from './kube-watched';
import type { KubeList, KubeNativeCollections, KubeResource } from './kubernetes-native';

export interface KubeClientOptions {
  /** The API server's URL, e.g. https://127.0.0.1:6443 */
  server: string;
  /** PEM of the CA that signed the server's certificate; without it (and without skipping) the system's CAs. */
  caCertificate: string | null;
  insecureSkipTlsVerify: boolean;
  token: string;
  /** The longest one request may take. */
  timeoutMs: number;
  retry?: HttpRetryPolicy;
}

/**
 * Talks to one cluster through @kubernetes/client-node, with a KubeConfig built in memory from the provider's
 * options (the token is never written anywhere). Every call goes through the providers' retry policy (429 and 503
 * with Retry-After, other server errors, network failures) and fails with the fleet's errors (see kube-errors).
 */
export class KubeClient {
  private readonly apis: KubeApis;
  private readonly version: VersionApi;
  private readonly retry: HttpRetryPolicy;
  private readonly watcher: Watch;
  /**
   * A keep-alive agent for every call: client-node makes a new agent (so a new connection and TLS handshake) per
   * request, which costs a targeted refresh of many objects more than its fetches do.
   */
  private readonly agent: Agent;

  constructor(private readonly options: KubeClientOptions) {
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{
        name: 'cluster', server: options.server, skipTLSVerify: options.insecureSkipTlsVerify,
        ...(options.caCertificate ? { caData: Buffer.from(options.caCertificate).toString('base64') } : {}),
      }],
      users: [{ name: 'fleet', token: options.token }],
      contexts: [{ name: 'fleet', cluster: 'cluster', user: 'fleet' }],
      currentContext: 'fleet',
    });
    this.apis = { core: config.makeApiClient(CoreV1Api), apps: config.makeApiClient(AppsV1Api) };
    this.version = config.makeApiClient(VersionApi);
    this.watcher = new Watch(config);
    this.retry = options.retry ?? new HttpRetryPolicy();
    this.agent = sharedAgent({ caCertificate: options.caCertificate || null, insecureSkipTlsVerify: options.insecureSkipTlsVerify });
  }

  /** The server's version (git version, e.g. v1.20.2); proves the token is accepted (an unknown one gets 401). */
  async serverVersion(signal?: AbortSignal): Promise<string> {
    const info = await this.call('get the server version', (options) => this.version.getCode(options), signal);
    return info.gitVersion;
  }

  /** One page of a resource, cluster-wide or in one namespace. */
  listPage<K extends KubeResource>(
    resource: K, page: { namespace: string | null; limit: number; continueToken: string | null }, signal?: AbortSignal,
  ): Promise<KubeList<KubeNativeCollections[K]>> {
    const calls = RESOURCES[resource];
    const params = { limit: page.limit, ...(page.continueToken === null ? {} : { _continue: page.continueToken }) };
    const namespace = page.namespace;
    return this.call(listCall(resource, namespace), (options) =>
      (namespace === null || !calls.namespaced ? calls.listAll(this.apis, params, options) : calls.listIn(this.apis, namespace, params, options)), signal);
  }

  /** One object by name (and namespace, for namespaced resources); null when the server does not have it (404). */
  async read<K extends KubeResource>(resource: K, name: string, namespace: string, signal?: AbortSignal): Promise<KubeNativeCollections[K] | null> {
    const calls = RESOURCES[resource];
    const call = `get ${resource} ${calls.namespaced ? `${namespace}/` : ''}${name}`;
    try {
      return await this.call(call, (options) => calls.read(this.apis, name, namespace, options), signal);
    } catch (error: unknown) {
      if (error instanceof ProviderApiError && error.status === 404) return null;
      throw error;
    }
  }

  /**
   * Deletes a pod, provided it is still the object of `uid`: a pod re-created under the same name since is not
   * deleted in its place (the server answers 409). `gracePeriodSeconds` overrides the pod's own. Answers the pod as
   * the server last had it.
   */
  deletePod(namespace: string, name: string, uid: string, gracePeriodSeconds: number | undefined, signal?: AbortSignal): Promise<V1Pod> {
    // In the body, not the query: the API server reads a delete's options from its body when it has one.
    return this.call(`delete pods ${namespace}/${name}`, (options) => this.apis.core.deleteNamespacedPod({
      namespace, name, body: { gracePeriodSeconds, preconditions: { uid } },
    }, options), signal);
  }

  /**
   * Sets a deployment's replicas through its scale subresource (a merge patch, which RBAC grants as `patch` on
   * `deployments/scale`), provided it is still the object of `uid` (the server checks a scale's uid against its
   * deployment's and answers 409). Answers the scale after it.
   */
  scaleDeployment(namespace: string, name: string, uid: string, replicas: number, signal?: AbortSignal): Promise<V1Scale> {
    return this.call(`patch deployments/scale ${namespace}/${name}`, (options) => this.apis.apps.patchNamespacedDeploymentScale({
      namespace, name, body: { metadata: { uid }, spec: { replicas } },
    }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch, options)), signal);
  }

  /**
   * The resourceVersion a watch of `spec` starts from to see every change from now on: that of a one-object page
   * of the same listing.
   */
  async currentVersion(spec: WatchSpec, signal?: AbortSignal): Promise<string> {
    const { resource, namespace, fieldSelector } = spec;
    const params = { limit: 1, ...(fieldSelector === undefined ? {} : { fieldSelector }) };
    const call = `list ${resource}${namespace === null ? ' (cluster-wide)' : ` in namespace ${namespace}`}`;
    const list = await this.call(call, (options): Promise<KubeList<unknown>> => {
      if (resource === 'events') return namespace === null ? this.apis.core.listEventForAllNamespaces(params, options) : this.apis.core.listNamespacedEvent({ namespace, ...params }, options);
      if (resource === 'namespaces') return this.apis.core.listNamespace(params, options);
      const calls = RESOURCES[resource];
      return namespace === null || !calls.namespaced ? calls.listAll(this.apis, params, options) : calls.listIn(this.apis, namespace, params, options);
    }, signal);
    const version = list.metadata?.resourceVersion;
    if (!version) throw new ProviderApiError(`${call}: the answer has no resourceVersion`);
    return version;
  }

  /**
   * Opens a watch of `spec` from `resourceVersion`, with bookmarks, which the server ends after `timeoutSeconds`.
   * `onEvent` gets each watch event as the server sends it (type and raw object); `done` is called once, with null
   * when the server ended the watch and with the error when it failed (its statusCode when the server refused it).
   * The controller returned stops the watch.
   */
  watch(
    spec: WatchSpec, resourceVersion: string, timeoutSeconds: number,
    onEvent: (phase: string, object: unknown) => void, done: (error: unknown) => void,
  ): Promise<AbortController> {
    const params = {
      resourceVersion, allowWatchBookmarks: true, timeoutSeconds, ...(spec.fieldSelector === undefined ? {} : { fieldSelector: spec.fieldSelector }),
    };
    return this.watcher.watch(spec.path, params, onEvent, done);
  }

  /**
   * Runs one call under the retry policy. The policy judges HTTP answers, so each attempt reports its outcome as
   * one (status and headers of a refusal, or 200 for a result or a failure that asking again cannot change); the
   * result or the error is kept aside and returned or thrown once the policy stops asking.
   */
  private async call<T>(call: string, send: (options: ConfigurationOptions) => Promise<T>, signal?: AbortSignal): Promise<T> {
    let outcome: { value: T } | { error: unknown } | undefined;
    const attempt = async (): Promise<Response> => {
      try {
        outcome = { value: await send(await kubeCallOptions(withDeadline(signal, this.options.timeoutMs), this.agent)) };
        return new Response(null, { status: 200 });
      } catch (error: unknown) {
        outcome = { error };
        if (error instanceof ApiException) return new Response(null, { status: error.code, headers: headersOf(error) });
        if (isPermanentNetworkFailure(error)) return new Response(null, { status: 200 });
        throw error;
      }
    };
    try {
      await this.retry.send(call, attempt, signal);
    } catch (error: unknown) {
      throw translateKubeError(error, call, this.options.server, statusOf(error));
    }
    if (outcome === undefined) throw new ProviderApiError(`${call}: no answer`);
    if ('error' in outcome) throw translateKubeError(outcome.error, call, this.options.server, statusOf(outcome.error));
    return outcome.value;
  }
}


function headersOf(error: ApiException<unknown>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(error.headers ?? {})) if (typeof value === 'string') headers.set(name, value);
  return headers;
}

/** The HTTP status a call was answered with, when it failed with one. */
function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}
