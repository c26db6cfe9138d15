import type { Request } from 'autocannon';
import { spreadId, VM_IDS_VARIABLE } from './spread-ids';

const [first, count] = (process.env[VM_IDS_VARIABLE] ?? '').split(':');
let sent = 0;

/**
 * autocannon's setupRequest for the VM case: each request asks for the next of the spread VMs. autocannon's worker
 * thread loads it by file name (a function cannot be passed to a thread); the thread inherits the environment the
 * benchmark set.
 */
function nextVmRequest(request: Request): Request {
  if (!first || !count) throw new Error(`${VM_IDS_VARIABLE} is not set`);
  return { ...request, path: `/api/v1/inventory/cloud_vms/${spreadId(sent++, BigInt(first), Number(count))}` };
}

export = nextVmRequest;
