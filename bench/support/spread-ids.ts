/**
 * Where the VM case's request module (run in autocannon's worker thread) finds the VMs' ids and where to start among
 * them: `first:count:start`.
 */
export const VM_IDS_VARIABLE = 'BENCH_API_VM_IDS';

/**
 * The index-th of the `count` ids from `first`, in an order that looks random, is the same every run and goes over
 * them all (7919 is a prime: it steps through any count it does not divide).
 */
export function spreadId(index: number, first: bigint, count: number): string {
  return String(first + BigInt((index * 7_919 + 104_729) % count));
}

/** The API's path of the VM `id` with its relations. */
export function vmPath(id: string): string {
  return `/api/v1/inventory/cloud_vms/${id}`;
}
