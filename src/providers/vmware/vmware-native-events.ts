import type { VimEvent } from './vim-events';
import type { ManagedObjectReference } from './vim-values';

/**
 * A change the update filter reported for a VM or host: it entered the filter's set (created, or moved where the
 * view sees it), changed, or left it (destroyed). `changed` names the properties that changed, not their values:
 * the event asks a targeted refresh of the object, which reads it whole.
 */
export interface VmwareObjectChange {
  readonly source: 'updates';
  readonly kind: 'enter' | 'modify' | 'leave';
  readonly obj: ManagedObjectReference;
  readonly changed: readonly string[];
  /** The object's name, when the update carried it (an enter always does). */
  readonly name: string | undefined;
  /** Unique to this update: the stream's own id with a running number (updates carry no id of their own). */
  readonly id: string;
  readonly receivedAt: string;
}

/** An event vCenter recorded (VmPoweredOffEvent, VmReconfiguredEvent, ...), read through an event history collector. */
export interface VmwareRecordedEvent {
  readonly source: 'events';
  readonly event: VimEvent;
}

/** What the vmware event stream delivers. */
export type VmwareNativeEvent = VmwareObjectChange | VmwareRecordedEvent;

/** Where the vSphere event history was read up to: the last event's key and creation time (none before any event). */
export interface EventHistoryMark {
  readonly key: number;
  readonly time: string | null;
}

/**
 * The stream's position: the update filter's version (meaningful only in the session that made the filter) and
 * where the event history was read up to.
 */
export interface VmwareEventPosition {
  readonly updates: string;
  readonly events: EventHistoryMark;
}
