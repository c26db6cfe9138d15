import type { ProviderEvent, ProviderEventSupport } from '../sdk';
import type { DemoNativeEvent } from './demo-native';

/** The inventory collection of each of the cloud's resource types. */
const COLLECTIONS: Readonly<Record<string, 'vms' | 'volumes'>> = { vms: 'vms', volumes: 'volumes' };

/** What each event type says happened, for the event's message. */
const VERBS: Readonly<Record<string, string>> = {
  'vm.create': 'created', 'vm.delete': 'deleted', 'vm.update': 'updated', 'vm.resize': 'resized',
  'vm.power_on': 'powered on', 'vm.power_off': 'powered off', 'vm.pause': 'paused', 'vm.alarm': 'raised an alarm',
  'volume.create': 'created', 'volume.delete': 'deleted', 'volume.detach': 'detached',
};

/** Event types that change nothing in the inventory. */
const NO_CHANGE_TYPES: ReadonlySet<string> = new Set(['vm.alarm']);

/** The Awesome Cloud's events: each names one VM or volume, which is what gets refreshed. */
export const demoEvents: ProviderEventSupport<DemoNativeEvent> = {
  filteredTypes: [],

  parse(native: DemoNativeEvent): ProviderEvent {
    const collection = COLLECTIONS[native.resource_type];
    const noun = native.resource_type === 'vms' ? 'VM' : native.resource_type === 'volumes' ? 'Volume' : native.resource_type;
    return {
      sourceId: String(native.id),
      type: native.type,
      timestamp: native.at,
      message: `${noun} ${native.resource_id} ${VERBS[native.type] ?? native.type}`,
      refs: collection === undefined ? [] : [{ collection, emsRef: native.resource_id }],
    };
  },

  targets(event: ProviderEvent) {
    if (NO_CHANGE_TYPES.has(event.type)) return [];
    return event.refs.map((ref) => ({ collection: ref.collection, ref: ref.emsRef }));
  },
};
