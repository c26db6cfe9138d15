import { InvalidInputError } from './invalid-input-error';
import type { MutationRequest } from './model';

/** Mutations per request are bounded so one admin call cannot stall the server for long. */
const MAX_ADD_PER_MUTATION = 100_000;

/** A mutation request's counts, each checked (all problems named at once), against the cloud's `vmCount` VMs. */
export function checkMutation(request: MutationRequest, vmCount: number): { deleteCount: number; updatePercent: number; addCount: number } {
  const problems: string[] = [];
  const updatePercent = request.update_percent ?? 0;
  const addCount = request.add ?? 0;
  const deleteCount = request.delete ?? 0;
  if (typeof updatePercent !== 'number' || !(updatePercent >= 0 && updatePercent <= 100)) {
    problems.push('update_percent must be a number from 0 to 100');
  }
  if (!Number.isInteger(addCount) || addCount < 0 || addCount > MAX_ADD_PER_MUTATION) {
    problems.push(`add must be an integer from 0 to ${MAX_ADD_PER_MUTATION}`);
  }
  if (!Number.isInteger(deleteCount) || deleteCount < 0 || deleteCount > vmCount) {
    problems.push(`delete must be an integer from 0 to the number of VMs (${vmCount})`);
  }
  if (problems.length > 0) throw new InvalidInputError(problems.join('; '));
  return { deleteCount, updatePercent, addCount };
}
