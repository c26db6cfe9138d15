import { randomUUID } from 'node:crypto';
import { EventPositionLostError } from '../sdk';
import type { ObjectUpdate } from './property-collector-answers';
import { containerViewObjectSpec } from './property-filter-spec';
import type { VimClient } from './vim-client';
import type { VimCallOptions } from './vim-connection';
import { VimFaultError } from './vim-fault-error';
import type { ManagedObjectReference } from './vim-values';
import { targetTypeOf } from './vmware-inventory';
import type { VmwareObjectChange } from './vmware-native-events';
import { PHASES, VM_CHANGE_PATHS } from './vmware-property-sets';

/** Faults that say the filter or its version is gone: a new filter cannot continue where it was. */
const LOST_FAULTS: ReadonlySet<string> = new Set(['InvalidCollectorVersion', 'ManagedObjectNotFound']);

/** What one wait brought: the version to wait from next, and the changes since the version waited from. */
export interface UpdateRound {
  readonly version: string;
  readonly changes: VmwareObjectChange[];
}

/**
 * A PropertyCollector filter over container views of every VM and every host, with the properties a refresh reads
 * of them (a VM's device list stands in by `config.modified`, see VM_CHANGE_PATHS): WaitForUpdatesEx then reports
 * each change to what the inventory stores of them. A filter, its views and its versions live in the session that made them: when the connection had to log
 * in again (the session expired or was ended), or vCenter no longer knows the filter or the version, the changes
 * in between are lost — EventPositionLostError, which asks for a full refresh and a new filter.
 */
export class UpdateFilter {
  /** Names this filter's updates, which carry no id of their own: unique per filter, never reused. */
  private readonly id = randomUUID();
  private sequence = 0;

  private constructor(
    private readonly client: VimClient,
    private readonly session: string | undefined,
    private readonly maxObjectUpdates: number,
  ) {}

  /** Makes the views and the filter in the client's session. */
  static async create(client: VimClient, maxObjectUpdates: number, options: VimCallOptions): Promise<UpdateFilter> {
    const { rootFolder } = await client.serviceContent(options);
    const views: ManagedObjectReference[] = [];
    for (const collection of ['vms', 'hosts'] as const) views.push(await client.createContainerView(rootFolder, [targetTypeOf[collection]], true, options));
    await client.createFilter({
      propSet: [{ type: 'VirtualMachine', paths: VM_CHANGE_PATHS }, ...PHASES.hosts.propSet], objectSet: views.map(containerViewObjectSpec),
    }, false, options);
    return new UpdateFilter(client, client.connection.session?.key, maxObjectUpdates);
  }

  /**
   * The version of the filter's current state. Its first answer holds every object it covers (as entering), which
   * the full refresh that follows a new filter reads anyway: dropped.
   */
  async currentVersion(options: VimCallOptions): Promise<string> {
    let round = await this.wait('', 0, options);
    while (round.truncated) round = await this.wait(round.version, 0, options);
    return round.version;
  }

  /** The changes after `version`, once there are any or `maxWaitSeconds` passed (then none, and the same version). */
  async next(version: string, maxWaitSeconds: number, options: VimCallOptions): Promise<UpdateRound> {
    const { version: reached, updates } = await this.wait(version, maxWaitSeconds, options);
    const receivedAt = new Date().toISOString();
    return { version: reached, changes: updates.map((update) => this.changeOf(update, receivedAt)) };
  }

  private async wait(version: string, maxWaitSeconds: number, options: VimCallOptions): Promise<{ version: string; truncated: boolean; updates: ObjectUpdate[] }> {
    let answer;
    try {
      answer = await this.client.waitForUpdatesEx(version, maxWaitSeconds, { ...options, maxObjectUpdates: this.maxObjectUpdates });
    } catch (error: unknown) {
      this.checkSession();
      if (error instanceof VimFaultError && LOST_FAULTS.has(error.faultType)) {
        throw new EventPositionLostError(`the update filter is gone (${error.faultType}); the changes since version "${version}" cannot be read`, { cause: error });
      }
      throw error;
    }
    this.checkSession();
    if (answer === null) return { version, truncated: false, updates: [] };
    return { version: answer.version, truncated: answer.truncated, updates: answer.filters.flatMap((filter) => filter.objects) };
  }

  /**
   * Throws EventPositionLostError when the connection is no longer in the filter's session: it logged in again
   * after vCenter answered NotAuthenticated, and the filter ended with the old session. (vCenter would refuse the
   * version in the new session; vcsim would wait on a filter that is no longer there.)
   */
  checkSession(): void {
    if (this.client.connection.session?.key !== this.session) {
      throw new EventPositionLostError('the vCenter session of the update filter ended (the connection logged in again), and the filter with it');
    }
  }

  private changeOf(update: ObjectUpdate, receivedAt: string): VmwareObjectChange {
    const name = update.changes.find((change) => change.name === 'name')?.value;
    this.sequence += 1;
    return {
      source: 'updates', kind: update.kind, obj: update.obj, changed: update.changes.map((change) => change.name),
      name: typeof name === 'string' ? name : undefined, id: `update:${this.id}:${this.sequence}`, receivedAt,
    };
  }
}
