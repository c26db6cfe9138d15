import { registerType, type ProviderOptions } from '../sdk';
import { kubernetesEvents } from './kubernetes-events';
import { kubernetesInventory, TARGETABLE } from './kubernetes-inventory';
import { kubernetesMetrics } from './kubernetes-metrics';
import { kubernetesOperations } from './kubernetes-operations';
import { KubernetesProvider, type KubernetesConfig, type KubernetesCredentials } from './kubernetes-provider';

/** A DNS label, as Kubernetes names namespaces. */
const NAMESPACE_NAME = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/**
 * The `kubernetes` provider type: a cluster's nodes, namespaces, pods and containers, services, deployments, replica
 * sets and storage. TLS: the server's certificate is checked against `caCertificate` when given, against the
 * system's trusted CAs when not (a cluster with a publicly signed certificate), and not at all only when
 * `insecureSkipTlsVerify` says so.
 */
export const kubernetesProviderType = registerType({
  type: 'kubernetes',
  title: 'Kubernetes',
  managerKind: 'container',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['server', 'insecureSkipTlsVerify', 'namespaces', 'pageSize', 'timeoutSeconds'],
    properties: {
      // https only, and no user:password@ in the URL: the token belongs in the sealed credentials.
      server: {
        type: 'string', format: 'uri', pattern: '^https://[^@/?#]+(?:[/?#]|$)', maxLength: 2048,
        errorMessage: 'must be an https:// URL without user:password@, at most 2048 characters',
      },
      caCertificate: { type: 'string', nullable: true, pattern: '-----BEGIN CERTIFICATE-----', maxLength: 65536 },
      insecureSkipTlsVerify: { type: 'boolean', default: false },
      namespaces: { type: 'array', items: { type: 'string', pattern: NAMESPACE_NAME, maxLength: 63 }, uniqueItems: true, maxItems: 1000, default: [] },
      pageSize: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
      timeoutSeconds: { type: 'integer', minimum: 1, maximum: 600, default: 60 },
      // http or https, and no user:password@, query or fragment: a token belongs in the sealed credentials, not in a
      // config that is shown.
      prometheusUrl: {
        type: 'string', nullable: true, format: 'uri', pattern: '^https?://[^@/?#]+(?:/[^?#]*)?$', maxLength: 2048,
        errorMessage: 'must be an http:// or https:// URL without user:password@, query or fragment, at most 2048 characters',
      },
    },
  },
  credentialsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['token'],
    properties: {
      token: { type: 'string', minLength: 1, maxLength: 16384, pattern: '^[^\\s]+$' },
      prometheusToken: { type: 'string', nullable: true, minLength: 1, maxLength: 16384, pattern: '^[^\\s]+$' },
    },
  },
  form: {
    fields: [
      {
        component: 'text-field', name: 'config.server', label: 'API server URL', type: 'url', isRequired: true, helperText: 'e.g. https://127.0.0.1:6443',
        validate: [{ type: 'required' }, { type: 'pattern', pattern: '^https://', message: 'must start with https://' }],
      },
      { component: 'textarea', name: 'config.caCertificate', label: 'CA certificate (PEM)', helperText: 'the CA that signed the API server\'s certificate; empty: the system\'s trusted CAs' },
      { component: 'switch', name: 'config.insecureSkipTlsVerify', label: 'Skip TLS verification (insecure)', initialValue: false },
      { component: 'text-field', name: 'credentials.token', label: 'Bearer token', type: 'password', isRequired: true, validate: [{ type: 'required' }] },
      { component: 'textarea', name: 'config.namespaces', label: 'Namespaces', valueType: 'lines', helperText: 'one per line; empty: all namespaces' },
      { component: 'text-field', name: 'config.pageSize', label: 'Page size', type: 'number', initialValue: 500 },
      {
        component: 'text-field', name: 'config.prometheusUrl', label: 'Prometheus URL', type: 'url',
        helperText: 'where CPU and memory metrics are read from, e.g. http://127.0.0.1:9090; empty: no metrics',
        validate: [{ type: 'pattern', pattern: '^https?://', message: 'must start with http:// or https://' }],
      },
      { component: 'text-field', name: 'credentials.prometheusToken', label: 'Prometheus bearer token', type: 'password', helperText: 'only if Prometheus asks for one' },
    ],
  },
  inventory: kubernetesInventory,
  targetable: TARGETABLE,
  // Many targets of a namespace are taken from one listing of it (see collectTargets): a targeted refresh of a few
  // thousand pods costs less than listing the whole cluster, and keeps the rest of the inventory out of the diff.
  targetedRefreshLimit: 5_000,
  events: kubernetesEvents,
  metrics: kubernetesMetrics,
  operations: kubernetesOperations,
  create: (options: ProviderOptions<KubernetesConfig, KubernetesCredentials>) => new KubernetesProvider(options),
});
