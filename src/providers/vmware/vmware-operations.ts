import type { OperationSpec } from '../sdk';

/**
 * vCenter's operations on its VMs: power and deletion, each a vSphere task followed to its end. Power operations act
 * at once, as vCenter's own buttons do (a power off cuts the power; it does not shut the guest down). The timeouts
 * leave room for a busy vCenter: a power on may wait for DRS to place the VM, a deletion for its disks to go.
 */
export const vmwareOperations = {
  'vm.start': { collection: 'vms', title: 'Power on', priority: 20, timeoutSeconds: 300 },
  'vm.stop': { collection: 'vms', title: 'Power off', priority: 20, timeoutSeconds: 300, destructive: true },
  'vm.restart': { collection: 'vms', title: 'Reset', priority: 20, timeoutSeconds: 300, destructive: true },
  // Last among waiting operations: a power operation asked meanwhile is not held up behind a deletion.
  'vm.delete': { collection: 'vms', title: 'Delete', priority: 100, timeoutSeconds: 600, destructive: true },
} as const satisfies Record<string, OperationSpec>;

export type VmwareOperationName = keyof typeof vmwareOperations;

/** The VirtualMachine task method each operation calls. */
export const VM_TASK_METHODS: Readonly<Record<VmwareOperationName, string>> = {
  'vm.start': 'PowerOnVM_Task', 'vm.stop': 'PowerOffVM_Task', 'vm.restart': 'ResetVM_Task', 'vm.delete': 'Destroy_Task',
};

export function isVmwareOperation(name: string): name is VmwareOperationName {
  return Object.hasOwn(vmwareOperations, name);
}
