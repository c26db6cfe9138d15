import type { OperationSpec } from '../sdk';

/** The Awesome Cloud's operations on its VMs, as its API offers them: power, size and deletion. */
export const demoOperations = {
  'vm.start': { collection: 'vms', title: 'Start', priority: 20, timeoutSeconds: 60 },
  'vm.stop': { collection: 'vms', title: 'Stop', priority: 20, timeoutSeconds: 60, destructive: true },
  'vm.restart': { collection: 'vms', title: 'Restart', priority: 20, timeoutSeconds: 120, destructive: true },
  'vm.resize': {
    collection: 'vms', title: 'Resize', priority: 50, timeoutSeconds: 120,
    parameters: {
      type: 'object', additionalProperties: false, required: ['flavorId'],
      properties: { flavorId: { type: 'string', minLength: 1, description: 'the flavor to give the VM (its provider reference, e.g. flv-01)' } },
    },
  },
  // Last among waiting operations: a start or stop asked meanwhile is not held up behind a deletion.
  'vm.delete': { collection: 'vms', title: 'Delete', priority: 100, timeoutSeconds: 120, destructive: true },
} as const satisfies Record<string, OperationSpec>;

export type DemoOperationName = keyof typeof demoOperations;
