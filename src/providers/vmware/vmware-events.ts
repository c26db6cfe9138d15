import type { EventObjectRef, ProviderEvent, ProviderEventSupport, RefreshTarget } from '../sdk';
import type { EventObject, VimEvent } from './vim-events';
import { fieldText } from './vim-values';
import { TARGETABLE, type VmwareCollection } from './vmware-inventory';
import type { VmwareNativeEvent, VmwareObjectChange } from './vmware-native-events';

/** Each followed type's name in event types (`vm.updated`) and messages, and its inventory collection. */
const NOUNS: Readonly<Record<string, { type: string; title: string; collection: VmwareCollection }>> = {
  VirtualMachine: { type: 'vm', title: 'VM', collection: 'vms' },
  HostSystem: { type: 'host', title: 'Host', collection: 'hosts' },
};

const PAST_TENSE = { enter: 'entered', modify: 'updated', leave: 'left' } as const;

/** The collections a recorded event's objects belong to; a compute resource is one only when it is a cluster. */
const RECORDED_OBJECTS: readonly { field: 'vm' | 'host' | 'datacenter' | 'computeResource' | 'datastore' | 'network'; collection: VmwareCollection; type?: string }[] = [
  { field: 'vm', collection: 'vms' },
  { field: 'host', collection: 'hosts' },
  { field: 'computeResource', collection: 'clusters', type: 'ClusterComputeResource' },
  { field: 'datacenter', collection: 'datacenters' },
  { field: 'datastore', collection: 'datastores' },
  { field: 'network', collection: 'networks' },
];

/** Longest message kept (some events quote whole task results). */
const MAX_MESSAGE = 1000;

const TARGETABLE_COLLECTIONS: ReadonlySet<string> = new Set(TARGETABLE);

/**
 * A vCenter's events. An update of the filter becomes `vm|host.entered|updated|left` about its object; an event
 * vCenter recorded becomes `vmware.<its class>` (`vmware.VmPoweredOnEvent`; an EventEx by its event type id) about
 * the VM, host, cluster, datacenter, datastore and network it names.
 *
 * Only updates ask for refreshes: a targeted refresh of the object, which reads it whole, with its ancestors, in
 * one call. Applying an update directly would be wrong more often than it would be faster: an update carries only
 * the properties that changed, while a VM's row, disks and links are built from the whole object and its place
 * (its cluster comes from its pool's owner, its disks from the device list); the refresh queue merges the targets
 * of many updates into one refresh, whose saver writes only what differs and records the change history as every
 * refresh does. Recorded events refresh nothing, with one exception: each change they report to a VM or host the
 * update filter reports too, earlier, and refreshing again for the event would double the work. The exception is a
 * reconfiguration (VmReconfiguredEvent): vcsim reports none to a filter, and a vCenter reports a disk's only as
 * `config.modified`; it is rare, and the queue merges its target with the update's when both are pending.
 */
export const vmwareEvents: ProviderEventSupport<VmwareNativeEvent> = {
  // Recorded by vCenter for every login and logout (each refresh and capture has its own session) and for every
  // task's start (the task's outcome is its own event): floods that say nothing about the inventory.
  filteredTypes: [
    'vmware.UserLoginSessionEvent', 'vmware.UserLogoutSessionEvent', 'vmware.AlreadyAuthenticatedSessionEvent', 'vmware.SessionTerminatedEvent',
    'vmware.TaskEvent',
  ],

  parse(native: VmwareNativeEvent): ProviderEvent {
    return native.source === 'updates' ? parseChange(native) : parseRecorded(native.event);
  },

  targets(event: ProviderEvent): RefreshTarget[] {
    const refreshed = refreshedCollections(event.type);
    if (!refreshed) return [];
    return event.refs.filter((ref) => refreshed.has(ref.collection)).map((ref) => ({ collection: ref.collection, ref: ref.emsRef }));
  },
};

const UPDATE_TYPE = /^(?:vm|host)\.(?:entered|updated|left)$/;
/** Recorded events that refresh the VM they name (see vmwareEvents). */
const RECONFIGURED_TYPES: ReadonlySet<string> = new Set(['vmware.VmReconfiguredEvent']);
const RECONFIGURED_COLLECTIONS: ReadonlySet<string> = new Set(['vms']);

/** The collections of the objects an event refreshes: a reconfiguration's VM, not the host and datacenter it also names. */
function refreshedCollections(type: string): ReadonlySet<string> | undefined {
  if (UPDATE_TYPE.test(type)) return TARGETABLE_COLLECTIONS;
  return RECONFIGURED_TYPES.has(type) ? RECONFIGURED_COLLECTIONS : undefined;
}

function parseChange(change: VmwareObjectChange): ProviderEvent {
  const noun = Object.hasOwn(NOUNS, change.obj.type) ? NOUNS[change.obj.type] : undefined;
  const verb = PAST_TENSE[change.kind];
  const named = change.name === undefined ? change.obj.value : `${change.name} (${change.obj.value})`;
  const properties = change.kind === 'modify' && change.changed.length > 0 ? `: ${change.changed.join(', ')}` : '';
  return {
    sourceId: change.id,
    type: `${noun?.type ?? change.obj.type}.${verb}`,
    timestamp: change.receivedAt,
    message: clip(`${noun?.title ?? change.obj.type} ${named} ${verb}${properties}`),
    refs: noun ? [{ collection: noun.collection, emsRef: change.obj.value }] : [],
  };
}

function parseRecorded(event: VimEvent): ProviderEvent {
  // An EventEx or ExtendedEvent is one class for many kinds of event: its event type id says which.
  const kind = fieldText(event.raw, 'eventTypeId') ?? event.type;
  const refs: EventObjectRef[] = [];
  for (const { field, collection, type } of RECORDED_OBJECTS) {
    const ref = refOf(event[field], collection, type);
    if (ref) refs.push(ref);
  }
  return {
    sourceId: String(event.key),
    type: `vmware.${kind}`,
    // Every event has its creation time; one without would still be stored, at the time it was read.
    timestamp: event.createdTime || new Date().toISOString(),
    message: clip(event.message || kind),
    refs,
  };
}

function refOf(object: EventObject | undefined, collection: VmwareCollection, type: string | undefined): EventObjectRef | undefined {
  const ref = object?.ref;
  if (ref === undefined || (type !== undefined && ref.type !== type)) return undefined;
  return { collection, emsRef: ref.value };
}

function clip(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}
