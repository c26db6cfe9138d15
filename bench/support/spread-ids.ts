/** Where the VM case's request module (run in autocannon's worker thread) finds the VMs' ids: `first:count`. */
export const VM_IDS_VARIABLE = 'BENCH_API_VM_IDS';

/**
 * The index-th of the `count` ids from `first`, in an order that looks random, is the same every run and goes over
 * them all (7919 is a prime: it steps through any count it does not divide).
 */
export function spreadId(index: number, first: bigint, count: number): string {
  return String(first + BigInt((index * 7_919 + 104_729) % count));
}
