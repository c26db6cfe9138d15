import type { Request } from 'autocannon';
import { spreadId, VM_IDS_VARIABLE, vmPath } from './spread-ids';

const [first, count, start] = (process.env[VM_IDS_VARIABLE] ?? '').split(':');
if (!first || !count || !start) throw new Error(`${VM_IDS_VARIABLE} is not set`);
let sent = Number(start);

/**
 * autocannon's setupRequest for the VM case: each request asks for the next of the spread VMs. autocannon's worker
 * thread loads it by file name (a function cannot be passed to a thread); the thread inherits the environment the
 * benchmark set.
 */
function nextVmRequest(request: Request): Request {
  return { ...request, path: vmPath(spreadId(sent++, BigInt(first), Number(count))) };
}

export = nextVmRequest;
