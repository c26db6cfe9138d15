import { ref, type SoapObject } from './soap-request';
import { field, fieldNumber, fieldRef, fieldText, isDataObject, type DataObject, type ManagedObjectReference, type PropertyValue } from './vim-values';

/** Which events an event history collector reads: about one entity (and what is under it), since a time, of some types. */
export interface EventFilterSpec {
  readonly entity?: { readonly entity: ManagedObjectReference; readonly recursion: 'self' | 'children' | 'all' };
  /** ISO time of the oldest event wanted. */
  readonly beginTime?: string;
  /** Event types wanted (VmPoweredOnEvent, ...); all when absent. */
  readonly eventTypeIds?: readonly string[];
  /** The most events QueryEvents answers (the newest); vCenter's default when absent. */
  readonly maxCount?: number;
}

/** An object an event names: its name then, and its reference (absent when the object is gone). */
export interface EventObject {
  readonly name: string | undefined;
  readonly ref: ManagedObjectReference | undefined;
}

/** One vSphere event, with the objects it names; `raw` keeps every field of its type. */
export interface VimEvent {
  /** The event's vim25 type: VmPoweredOffEvent, VmReconfiguredEvent, ... */
  readonly type: string;
  /** Grows with each event: the position to read on from. */
  readonly key: number;
  readonly chainId: number | undefined;
  readonly createdTime: string;
  readonly userName: string | undefined;
  readonly message: string | undefined;
  readonly datacenter: EventObject | undefined;
  readonly computeResource: EventObject | undefined;
  readonly host: EventObject | undefined;
  readonly vm: EventObject | undefined;
  readonly datastore: EventObject | undefined;
  readonly network: EventObject | undefined;
  readonly raw: DataObject;
}

/** The filter as vim25 writes an EventFilterSpec, its fields in the schema's order. */
export function encodeEventFilter(filter: EventFilterSpec): SoapObject {
  return {
    entity: filter.entity === undefined ? undefined : { entity: ref(filter.entity.entity), recursion: filter.entity.recursion },
    time: filter.beginTime === undefined ? undefined : { beginTime: filter.beginTime },
    eventTypeId: filter.eventTypeIds,
    maxCount: filter.maxCount,
  };
}

/** An event from its data object; undefined for a value that is not one. */
export function decodeEvent(value: PropertyValue): VimEvent | undefined {
  if (!isDataObject(value)) return undefined;
  const key = fieldNumber(value, 'key');
  if (key === undefined) return undefined;
  return {
    type: value.type ?? 'Event',
    key,
    chainId: fieldNumber(value, 'chainId'),
    createdTime: fieldText(value, 'createdTime') ?? '',
    userName: fieldText(value, 'userName'),
    message: fieldText(value, 'fullFormattedMessage'),
    datacenter: eventObject(value, 'datacenter', 'datacenter'),
    computeResource: eventObject(value, 'computeResource', 'computeResource'),
    host: eventObject(value, 'host', 'host'),
    vm: eventObject(value, 'vm', 'vm'),
    datastore: eventObject(value, 'ds', 'datastore'),
    network: eventObject(value, 'net', 'network'),
    raw: value,
  };
}

function eventObject(event: DataObject, argument: string, refField: string): EventObject | undefined {
  const value = field(event, argument);
  if (value === undefined) return undefined;
  return { name: fieldText(value, 'name'), ref: fieldRef(value, refField) };
}
