import { registerType, type ProviderOptions } from '../sdk';
import { vmwareEvents } from './vmware-events';
import { TARGETABLE, vmwareInventory } from './vmware-inventory';
import { vmwareMetrics } from './vmware-metrics';
import { vmwareOperations } from './vmware-operations';
import { VmwareProvider, type VmwareConfig, type VmwareCredentials } from './vmware-provider';

/** A SHA-256 fingerprint: 32 bytes in hex, as pairs joined by colons or not. */
const SHA256_FINGERPRINT = '^(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31}|[0-9A-Fa-f]{64})$';

/**
 * The `vmware` provider type: a vCenter's datacenters, folders, clusters, hosts, resource pools, datastores,
 * networks, VMs and templates with their disks, through the vSphere SOAP API. TLS: vCenter's certificate is checked
 * against `caCertificate`, or pinned by its `certificateFingerprint`, or against the system's trusted CAs when
 * neither is given, and not at all only when `insecureSkipTlsVerify` says so.
 */
export const vmwareProviderType = registerType({
  type: 'vmware',
  title: 'VMware vSphere',
  managerKind: 'infra',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['sdkUrl', 'insecureSkipTlsVerify', 'pageSize', 'timeoutSeconds'],
    properties: {
      // https only, and no user:password@, query or fragment: the password belongs in the sealed credentials.
      sdkUrl: {
        type: 'string', format: 'uri', pattern: '^https://[^@/?#]+(?:/[^?#]*)?$', maxLength: 2048,
        errorMessage: 'must be an https:// URL without user:password@, query or fragment, at most 2048 characters',
      },
      caCertificate: { type: 'string', nullable: true, pattern: '-----BEGIN CERTIFICATE-----', maxLength: 65536 },
      certificateFingerprint: { type: 'string', nullable: true, pattern: SHA256_FINGERPRINT },
      insecureSkipTlsVerify: { type: 'boolean', default: false },
      pageSize: { type: 'integer', minimum: 1, maximum: 10_000, default: 500 },
      timeoutSeconds: { type: 'integer', minimum: 1, maximum: 600, default: 60 },
    },
  },
  credentialsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['username', 'password'],
    properties: {
      username: { type: 'string', minLength: 1, maxLength: 512 },
      password: { type: 'string', minLength: 1, maxLength: 4096 },
    },
  },
  form: {
    fields: [
      {
        component: 'text-field', name: 'config.sdkUrl', label: 'SDK URL', type: 'url', isRequired: true, helperText: 'e.g. https://vcenter.example.com/sdk',
        validate: [{ type: 'required' }, { type: 'pattern', pattern: '^https://', message: 'must start with https://' }],
      },
      { component: 'text-field', name: 'credentials.username', label: 'User name', isRequired: true, helperText: 'e.g. fleet-reader@vsphere.local', validate: [{ type: 'required' }] },
      { component: 'text-field', name: 'credentials.password', label: 'Password', type: 'password', isRequired: true, validate: [{ type: 'required' }] },
      { component: 'textarea', name: 'config.caCertificate', label: 'CA certificate (PEM)', helperText: 'the CA that signed vCenter\'s certificate (its VMCA root); empty: the system\'s trusted CAs' },
      {
        component: 'text-field', name: 'config.certificateFingerprint', label: 'Certificate SHA-256 fingerprint',
        helperText: 'instead of a CA: trust vCenter\'s own certificate by its fingerprint (AA:BB:...)',
        validate: [{ type: 'pattern', pattern: SHA256_FINGERPRINT, message: 'must be a SHA-256 fingerprint: 32 bytes in hex' }],
      },
      { component: 'switch', name: 'config.insecureSkipTlsVerify', label: 'Skip TLS verification (insecure)', initialValue: false },
      { component: 'text-field', name: 'config.pageSize', label: 'Page size', type: 'number', initialValue: 500, helperText: 'objects per page of a retrieval' },
    ],
  },
  inventory: vmwareInventory,
  targetable: TARGETABLE,
  events: vmwareEvents,
  metrics: vmwareMetrics,
  operations: vmwareOperations,
  create: (options: ProviderOptions<VmwareConfig, VmwareCredentials>) => new VmwareProvider(options),
});
