import type { ClientBase } from 'pg';
import type { DataSource } from 'typeorm';
import { DeposedLeaderError } from '../errors';

/**
 * The leadership generation a supervisor acts for: a fencing token. Each server that takes the lead makes the
 * fleet's generation one higher (nextGeneration), and the supervisor's writes to the workers table hold only while
 * its generation is still the fleet's, so work a deposed leader started late (a statement held up by a cut network
 * and delivered once it came back) is refused instead of done twice.
 */
export interface LeadershipFence {
  readonly generation: string;
}

/**
 * The SQL condition a fenced write adds, with fenceParameter(fence) as parameter `$n`: it holds while that generation
 * leads, and always for a write made without a fence (null). FOR SHARE orders it against a new leader's bump: the
 * bump waits for a write that locked the row first, and a write that comes after sees the bump.
 */
export function fenceHolds(parameter: number): string {
  return `($${parameter}::bigint IS NULL OR EXISTS (SELECT 1 FROM fleet_leadership WHERE id = 1 AND generation = $${parameter} FOR SHARE))`;
}

/** The value of fenceHolds' parameter. */
export function fenceParameter(fence: LeadershipFence | undefined): string | null {
  return fence?.generation ?? null;
}

/** Takes the next generation, for a server that has just taken the leader lock (on the lock's own connection). */
export async function nextGeneration(client: ClientBase, holder: string): Promise<LeadershipFence> {
  const { rows } = await client.query<{ generation: string }>(
    'UPDATE fleet_leadership SET generation = generation + 1, holder = $1, acquired_at = now() WHERE id = 1 RETURNING generation::text', [holder]);
  if (!rows[0]) throw new Error('the fleet_leadership table has no row: run the migrations');
  return { generation: rows[0].generation };
}

/**
 * Throws DeposedLeaderError when the fleet has moved on to another generation than the fence's; nothing to check
 * without a fence. After a fenced write that changed nothing, it tells the fence's refusal from the write's own
 * condition.
 */
export async function checkFence(dataSource: DataSource, fence: LeadershipFence | undefined): Promise<void> {
  if (!fence) return;
  const [row]: { generation: string }[] = await dataSource.query('SELECT generation::text FROM fleet_leadership WHERE id = 1');
  const current = row?.generation;
  if (current !== fence.generation) throw new DeposedLeaderError(fence.generation, current);
}
