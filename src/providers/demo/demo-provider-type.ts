import { registerType, type ProviderOptions } from '../sdk';
import { demoEvents } from './demo-events';
import { demoInventory } from './demo-inventory';
import { demoOperations } from './demo-operations';
import { demoMetrics } from './demo-metrics';
import { DemoProvider, type DemoConfig, type DemoCredentials } from './demo-provider';

/** The `demo` provider type: "Awesome Cloud", the example cloud of ManageIQ's provider guide. */
export const demoProviderType = registerType({
  type: 'demo',
  title: 'Awesome Cloud',
  managerKind: 'cloud',
  regions: [
    { name: 'us-east-1', title: 'US East' },
    { name: 'eu-west-1', title: 'EU West' },
    { name: 'ap-south-1', title: 'Asia Pacific South' },
  ],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['endpoint', 'pageSize', 'timeoutSeconds'],
    properties: {
      // No user:password@ in the URL: credentials belong in the sealed credentials, never in config.
      endpoint: {
        type: 'string', format: 'uri', pattern: '^https?://[^@/?#]+(?:[/?#]|$)', maxLength: 2048,
        errorMessage: 'must be an http:// or https:// URL without user:password@, at most 2048 characters',
      },
      pageSize: { type: 'integer', minimum: 1, maximum: 1000, default: 1000 },
      timeoutSeconds: { type: 'integer', minimum: 1, maximum: 600, default: 30 },
    },
  },
  credentialsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['accessKey', 'secretKey'],
    properties: {
      accessKey: { type: 'string', minLength: 1, maxLength: 256 },
      secretKey: { type: 'string', minLength: 1, maxLength: 256 },
    },
  },
  form: {
    fields: [
      {
        component: 'select', name: 'region', label: 'Region', isRequired: true, validate: [{ type: 'required' }],
        options: [{ label: 'US East', value: 'us-east-1' }, { label: 'EU West', value: 'eu-west-1' }, { label: 'Asia Pacific South', value: 'ap-south-1' }],
      },
      { component: 'text-field', name: 'config.endpoint', label: 'API endpoint', type: 'url', isRequired: true, helperText: 'e.g. http://127.0.0.1:8600', validate: [{ type: 'required' }, { type: 'pattern', pattern: '^https?://', message: 'must start with http:// or https://' }] },
      { component: 'text-field', name: 'credentials.accessKey', label: 'Access key', isRequired: true, validate: [{ type: 'required' }] },
      { component: 'text-field', name: 'credentials.secretKey', label: 'Secret key', type: 'password', isRequired: true, validate: [{ type: 'required' }] },
      { component: 'text-field', name: 'config.pageSize', label: 'Page size', type: 'number', initialValue: 1000 },
    ],
  },
  inventory: demoInventory,
  targetable: ['vms', 'volumes'],
  events: demoEvents,
  metrics: demoMetrics,
  operations: demoOperations,
  create: (options: ProviderOptions<DemoConfig, DemoCredentials>) => new DemoProvider(options),
});
