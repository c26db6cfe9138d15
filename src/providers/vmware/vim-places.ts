import type { ObjectContent } from './property-collector-answers';
import type { PlacedObject } from './vmware-native';
import { isManagedObjectReference, type ManagedObjectReference, type PropertyValue } from './vim-values';

/** Parent chains longer than this are taken for a loop (vCenter nests folders deeply, but not this deeply). */
const MAX_DEPTH = 256;

interface Link {
  readonly type: string;
  readonly parent: ManagedObjectReference | undefined;
  readonly owner: ManagedObjectReference | undefined;
}

/**
 * Where objects are: the parent (and a pool's owner) of each folder, datacenter, compute resource and pool seen,
 * to find the datacenter and the cluster of an object from its own parent or pool. Holds the inventory's structure
 * only (a few hundred objects in a large vCenter), never its hosts or VMs.
 */
export class VimPlaces {
  private readonly links = new Map<string, Link>();

  add(object: ObjectContent): void {
    this.links.set(object.obj.value, {
      type: object.obj.type, parent: refOf(object.properties.get('parent')), owner: refOf(object.properties.get('owner')),
    });
  }

  /** The object with its datacenter and cluster. */
  place(object: ObjectContent): PlacedObject {
    return { obj: object.obj, properties: object.properties, datacenter: this.datacenterOf(object), cluster: this.clusterOf(object) };
  }

  private datacenterOf(object: ObjectContent): string | null {
    let current = refOf(object.properties.get('parent'));
    for (let depth = 0; current !== undefined && depth < MAX_DEPTH; depth += 1) {
      if (current.type === 'Datacenter') return current.value;
      current = this.links.get(current.value)?.parent;
    }
    return null;
  }

  private clusterOf(object: ObjectContent): string | null {
    const { type } = object.obj;
    if (type === 'HostSystem') return clusterRef(refOf(object.properties.get('parent')));
    if (type === 'ResourcePool' || type === 'VirtualApp') return clusterRef(refOf(object.properties.get('owner')));
    if (type === 'VirtualMachine') {
      // A template has no pool: it is not placed in a cluster, whichever host keeps its files.
      const pool = refOf(object.properties.get('resourcePool'));
      return pool === undefined ? null : clusterRef(this.links.get(pool.value)?.owner);
    }
    return null;
  }
}

function refOf(value: PropertyValue | undefined): ManagedObjectReference | undefined {
  return isManagedObjectReference(value) ? value : undefined;
}

function clusterRef(ref: ManagedObjectReference | undefined): string | null {
  return ref?.type === 'ClusterComputeResource' ? ref.value : null;
}
