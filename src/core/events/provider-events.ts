import { FleetError } from '../../errors';
import type { RefreshTarget } from '../refresh/refresh-scope';

/**
 * Where a provider's event stream stands, in the provider's own terms (a cursor, a resource version, a timestamp):
 * kept by the event catcher in the provider's data, so it must survive a JSON round trip.
 */
export type EventPosition = string | number | { [key: string]: EventPosition | boolean | null } | EventPosition[];

/** Native events read from the stream together with the position just after the last of them. */
export interface EventBatch<NativeEvent> {
  events: NativeEvent[];
  position: EventPosition;
}

/** An object an event names, by the provider's reference and the inventory collection it belongs to. */
export interface EventObjectRef {
  collection: string;
  emsRef: string;
  /**
   * How a targeted refresh names the object, when not by `emsRef`: an object the inventory does not hold yet (just
   * created) cannot be found by a manager reference only the provider knows, but can by its name.
   */
  targetRef?: string;
}

/** One event in the fleet's terms: what the event parser makes of a native event, and what event_streams stores. */
export interface ProviderEvent {
  /** The provider's own id of the event: stored once per provider, whoever delivers it how often. */
  sourceId: string;
  type: string;
  /** ISO 8601 time the provider gives the event. */
  timestamp: string;
  message: string;
  /** The objects the event is about (a VM, its host, a pod and its node ...). */
  refs: EventObjectRef[];
  /**
   * The whole state of the object the event reports a change of, where the event carries it (null: it is gone), for
   * the type's targets() to hand to the object's targeted refresh (RefreshTarget.observed). Not stored with the event.
   */
  observed?: unknown;
}

/**
 * What a provider type with an event stream declares besides the stream itself (which its provider instances
 * open, see Provider.streamEvents): how to read native events and what to refresh for them.
 */
export interface ProviderEventSupport<NativeEvent> {
  /** Event types the catcher drops by default (ManageIQ's blacklist); `eventFiltersByType` replaces the list. */
  filteredTypes: readonly string[];
  /** Native event -> event record. Must not throw for a well-formed native event of an unknown type. */
  parse(native: NativeEvent): ProviderEvent;
  /** The objects to refresh for an event; none when it changes nothing the inventory holds. */
  targets(event: ProviderEvent): RefreshTarget[];
}

/**
 * Thrown by an event stream when the position it was asked to start from is gone (the provider no longer keeps
 * events that old, or it was reset): events were missed, so the catcher starts again from now after a full refresh.
 */
export class EventPositionLostError extends FleetError {}
