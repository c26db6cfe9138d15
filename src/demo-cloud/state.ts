import { compareIds, SortedCollection, type Page } from './collection';
import { BOOT_DEVICE, buildVm, mutationLaunchTime, renameForMutation, TAG_SETS, type VmReferences } from './generate';
import { hostsByZone } from './hosts';
import { InvalidInputError } from './invalid-input-error';
import { generateInventory, placementSeed } from './inventory';
import { checkMutation } from './mutation-check';
import {
  COLLECTIONS,
  isKnownRegion,
  MAX_VMS,
  POWER_CHANGE_TYPES,
  POWER_STATES,
  type ChangeEvent,
  type ChangeType,
  type CollectionItems,
  type CollectionName,
  type Host,
  type MutationRequest,
  type MutationResult,
  type PowerState,
  type RegionName,
  type Vm,
  type Volume,
} from './model';
import { deriveSeed, Random } from './random';

export interface DemoCloudStateOptions {
  seed: number;
  /** VMs generated at start, 0..MAX_VMS. */
  vms: number;
  region: string;
  /** Clock for ChangeEvent.at; the inventory itself never reads it. */
  now?: () => Date;
}

export type ChangeListener = (event: ChangeEvent) => void;

/** A change before it is stamped with the time. */
type Change = Omit<ChangeEvent, 'at'>;

type Collections = { [K in CollectionName]: SortedCollection<CollectionItems[K]> };

/** Salts below this are used by the initial generation streams. */
const MUTATION_SALT_BASE = 1_000;

/**
 * The whole inventory of the simulated cloud's one populated region, and the only place that changes it. Every
 * change goes through here and is reported to `onChange` listeners, which is what events and metrics will hang off.
 *
 * Objects returned by the read methods are the live ones: treat them as read-only.
 */
export class DemoCloudState {
  readonly region: RegionName;
  readonly seed: number;
  private readonly now: () => Date;
  private readonly collections: Collections;
  /**
   * Data volumes attached to each VM, so deleting a VM or filtering by attached_vm_id needs no scan. Boot volumes are
   * left out (found through vm.boot_volume_id): indexing them too cost 300,000 Map entries at the largest size.
   */
  private readonly dataVolumesByVm = new Map<string, Volume[]>();
  private readonly listeners = new Set<ChangeListener>();
  /** Hosts never change, so new VMs are placed from this map, built once. */
  private readonly hostsByZone: ReadonlyMap<string, readonly Host[]>;
  private mutationCount = 0;
  private nextVmNumber: number;
  private nextVolumeNumber: number;

  constructor(options: DemoCloudStateOptions) {
    const { seed, vms, region } = options;
    if (!Number.isInteger(seed)) throw new InvalidInputError('seed must be an integer');
    if (!Number.isInteger(vms) || vms < 0 || vms > MAX_VMS) {
      throw new InvalidInputError(`vms must be an integer from 0 to ${MAX_VMS}`);
    }
    if (!isKnownRegion(region)) throw new InvalidInputError(`unknown region: ${region}`);
    this.region = region;
    this.seed = seed;
    this.now = options.now ?? (() => new Date());

    const inventory = generateInventory({ seed, vms, region });
    this.collections = {
      zones: new SortedCollection(inventory.zones),
      flavors: new SortedCollection(inventory.flavors),
      images: new SortedCollection(inventory.images),
      security_groups: new SortedCollection(inventory.security_groups),
      hosts: new SortedCollection(inventory.hosts),
      vms: new SortedCollection(inventory.vms),
      volumes: new SortedCollection(inventory.volumes),
    };
    for (const volume of inventory.volumes) {
      if (volume.attached_vm_id !== null && volume.device !== BOOT_DEVICE) {
        this.indexDataVolume(volume.attached_vm_id, volume);
      }
    }
    this.hostsByZone = hostsByZone(inventory.hosts);
    this.nextVmNumber = vms + 1;
    this.nextVolumeNumber = inventory.volumes.length + 1;
  }

  /** How many mutations have been applied. */
  get mutations(): number {
    return this.mutationCount;
  }

  /** Every object of a collection in id order (a live view: do not keep it across changes). */
  list<K extends CollectionName>(collection: K): readonly CollectionItems[K][] {
    return this.collections[collection].all();
  }

  get<K extends CollectionName>(collection: K, id: string): CollectionItems[K] | undefined {
    return this.collections[collection].get(id);
  }

  getMany<K extends CollectionName>(collection: K, ids: Iterable<string>): CollectionItems[K][] {
    return this.collections[collection].getMany(ids);
  }

  page<K extends CollectionName>(collection: K, marker: string | null, limit: number): Page<CollectionItems[K]> {
    return this.collections[collection].page(marker, limit);
  }

  count(collection: CollectionName): number {
    return this.collections[collection].size;
  }

  counts(): Record<CollectionName, number> {
    const counts: Partial<Record<CollectionName, number>> = {};
    for (const name of COLLECTIONS) counts[name] = this.count(name);
    return counts as Record<CollectionName, number>;
  }

  /** The volumes attached to a VM, in id order; empty for an unknown VM. */
  volumesAttachedTo(vmId: string): Volume[] {
    const vm = this.collections.vms.get(vmId);
    if (!vm) return [];
    const attached = [...(this.dataVolumesByVm.get(vmId) ?? [])];
    const boot = this.collections.volumes.get(vm.boot_volume_id);
    if (boot && boot.attached_vm_id === vmId) attached.push(boot);
    return attached.sort((a, b) => compareIds(a.id, b.id));
  }

  /** Registers a listener for every change; returns the function that removes it. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Applies deletes, then updates to surviving VMs, then adds, all drawn from a PRNG seeded by (seed, mutation
   * number): the same sequence of requests always yields the same cloud. Deleting a VM deletes its boot volume and
   * detaches its data volumes.
   */
  mutate(request: MutationRequest): MutationResult {
    const { deleteCount, updatePercent, addCount } = checkMutation(request, this.collections.vms.size);
    const mutation = ++this.mutationCount;
    const rng = new Random(deriveSeed(this.seed, MUTATION_SALT_BASE + mutation));
    const vms = this.collections.vms;
    const volumes = this.collections.volumes;
    const result: MutationResult = {
      vms: { created: [], updated: [], deleted: [] },
      volumes: { created: [], updated: [], deleted: [] },
    };

    const updateCount = Math.floor(((vms.size - deleteCount) * updatePercent) / 100);
    const picked = rng.sampleIndexes(vms.size, deleteCount + updateCount).map((index) => vms.all()[index]);
    const toDelete = picked.slice(0, deleteCount);
    const toUpdate = picked.slice(deleteCount);

    this.removeVms(toDelete, result);

    // An update that changed the power state is reported as that (power on, off, pause), any other as an update.
    const powerChanges = new Map<string, ChangeType>();
    for (const vm of toUpdate) {
      // The name always changes, so every update is visible; power state and tags change half the time each.
      vm.name = renameForMutation(vm.name, mutation);
      if (rng.chance(0.5)) {
        vm.power_state = pickOther(rng, POWER_STATES, vm.power_state);
        powerChanges.set(vm.id, POWER_CHANGE_TYPES[vm.power_state]);
      }
      if (rng.chance(0.5)) vm.tags = pickOther(rng, TAG_SETS, vm.tags);
      result.vms.updated.push(vm.id);
    }

    const refs: VmReferences = {
      flavors: this.list('flavors'),
      images: this.list('images'),
      zones: this.list('zones'),
      securityGroups: this.list('security_groups'),
      hostsByZone: this.hostsByZone,
      placementSeed: placementSeed(this.seed),
    };
    for (let i = 0; i < addCount; i++) {
      const launchedAt = mutationLaunchTime(mutation, i);
      const { vm, bootVolume } = buildVm(rng, refs, this.nextVmNumber, this.nextVolumeNumber, launchedAt);
      this.nextVmNumber += 1;
      this.nextVolumeNumber += 1;
      vms.append(vm);
      volumes.append(bootVolume);
      result.vms.created.push(vm.id);
      result.volumes.created.push(bootVolume.id);
    }

    // created and deleted come out of id-ordered walks already; updates were drawn in random order.
    result.vms.updated.sort();
    result.volumes.updated.sort();
    const changes = (collection: CollectionName, kind: ChangeEvent['kind'], ids: readonly string[], type: (id: string) => ChangeType): Change[] =>
      ids.map((id) => ({ collection, id, kind, type: type(id) }));
    this.emit([
      ...changes('vms', 'deleted', result.vms.deleted, () => 'vm.delete'),
      ...changes('volumes', 'deleted', result.volumes.deleted, () => 'volume.delete'),
      ...changes('volumes', 'updated', result.volumes.updated, () => 'volume.detach'),
      ...changes('vms', 'updated', result.vms.updated, (id) => powerChanges.get(id) ?? 'vm.update'),
      ...changes('vms', 'created', result.vms.created, () => 'vm.create'),
      ...changes('volumes', 'created', result.volumes.created, () => 'volume.create'),
    ]);
    return result;
  }

  /**
   * Deletes a VM as the cloud's API does: its boot volume goes with it, its data volumes are detached. Undefined
   * when the VM does not exist.
   */
  deleteVm(vmId: string): Vm | undefined {
    const vm = this.collections.vms.get(vmId);
    if (!vm) return undefined;
    const result: MutationResult = { vms: { created: [], updated: [], deleted: [] }, volumes: { created: [], updated: [], deleted: [] } };
    this.removeVms([vm], result);
    this.emit([
      ...result.volumes.updated.map((id): Change => ({ collection: 'volumes', id, kind: 'updated', type: 'volume.detach' })),
      { collection: 'vms', id: vm.id, kind: 'deleted', type: 'vm.delete' },
      ...result.volumes.deleted.map((id): Change => ({ collection: 'volumes', id, kind: 'deleted', type: 'volume.delete' })),
    ]);
    return vm;
  }

  /** Removes VMs with their boot volumes and detaches their data volumes, noting each in `result`. */
  private removeVms(toDelete: readonly Vm[], result: MutationResult): void {
    const deletedVolumeIds = new Set<string>();
    for (const vm of toDelete) {
      deletedVolumeIds.add(vm.boot_volume_id);
      for (const volume of this.dataVolumesByVm.get(vm.id) ?? []) {
        volume.status = 'available';
        volume.attached_vm_id = null;
        volume.device = null;
        result.volumes.updated.push(volume.id);
      }
      this.dataVolumesByVm.delete(vm.id);
    }
    result.vms.deleted = this.collections.vms.removeMany(new Set(toDelete.map((vm) => vm.id))).map((vm) => vm.id);
    result.volumes.deleted = this.collections.volumes.removeMany(deletedVolumeIds).map((volume) => volume.id);
  }

  /** Sets a VM's power state; undefined when the VM does not exist. Setting the current state is not a change. */
  setPowerState(vmId: string, state: PowerState): Vm | undefined {
    const vm = this.collections.vms.get(vmId);
    if (!vm) return undefined;
    if (vm.power_state !== state) {
      vm.power_state = state;
      this.emit([{ collection: 'vms', id: vm.id, kind: 'updated', type: POWER_CHANGE_TYPES[state] }]);
    }
    return vm;
  }

  /**
   * Gives a VM another flavor; undefined when the VM does not exist. An unknown flavor is refused; the current one
   * is not a change.
   */
  resize(vmId: string, flavorId: string): Vm | undefined {
    const vm = this.collections.vms.get(vmId);
    if (!vm) return undefined;
    if (!this.collections.flavors.get(flavorId)) throw new InvalidInputError(`unknown flavor: ${flavorId}`);
    if (vm.flavor_id !== flavorId) {
      vm.flavor_id = flavorId;
      this.emit([{ collection: 'vms', id: vm.id, kind: 'updated', type: 'vm.resize' }]);
    }
    return vm;
  }

  private indexDataVolume(vmId: string, volume: Volume): void {
    const attached = this.dataVolumesByVm.get(vmId);
    if (attached) attached.push(volume);
    else this.dataVolumesByVm.set(vmId, [volume]);
  }

  /**
   * Calls every listener for every event, after the state is fully changed. A throwing listener does not stop the
   * others; the failures are rethrown together once all have run.
   */
  private emit(changes: readonly Change[]): void {
    if (this.listeners.size === 0) return;
    const failures: unknown[] = [];
    for (const change of changes) {
      const event: ChangeEvent = { ...change, at: this.now() };
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error: unknown) {
          failures.push(error);
        }
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} change listener call(s) failed`);
  }
}

/** Any option but `current`, without building a filtered copy per updated VM. */
function pickOther<T>(rng: Random, options: readonly T[], current: T): T {
  const index = options.indexOf(current);
  if (index < 0) return rng.pick(options);
  const other = rng.int(options.length - 1);
  return options[other >= index ? other + 1 : other];
}
