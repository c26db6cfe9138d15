import type { EventObjectRef, ProviderEvent, ProviderEventSupport, RefreshTarget } from '../sdk';
import { WATCHED, type KubeWatchEvent, type RawCoreEvent, type RawObjectMeta } from './kube-watched';
import type { TargetableCollection } from './kubernetes-inventory';
import type { KubeResource } from './kubernetes-native';

/** Each resource's name in event types (`pod.added`) and messages (`Pod web/a added`), and its inventory collection. */
const NOUNS: Readonly<Record<KubeResource, { type: string; title: string; collection: TargetableCollection }>> = {
  namespaces: { type: 'namespace', title: 'Namespace', collection: 'namespaces' },
  nodes: { type: 'node', title: 'Node', collection: 'nodes' },
  persistentvolumes: { type: 'persistentvolume', title: 'PersistentVolume', collection: 'persistentVolumes' },
  persistentvolumeclaims: { type: 'persistentvolumeclaim', title: 'PersistentVolumeClaim', collection: 'persistentVolumeClaims' },
  deployments: { type: 'deployment', title: 'Deployment', collection: 'deployments' },
  replicasets: { type: 'replicaset', title: 'ReplicaSet', collection: 'replicaSets' },
  pods: { type: 'pod', title: 'Pod', collection: 'pods' },
  services: { type: 'service', title: 'Service', collection: 'services' },
};

/** The resource of each kind a core/v1 Event may be about, for the kinds the inventory holds. */
const RESOURCE_OF_KIND: Readonly<Record<string, KubeResource>> = {
  Namespace: 'namespaces', Node: 'nodes', PersistentVolume: 'persistentvolumes', PersistentVolumeClaim: 'persistentvolumeclaims',
  Deployment: 'deployments', ReplicaSet: 'replicasets', Pod: 'pods', Service: 'services',
};

const PAST_TENSE = { ADDED: 'added', MODIFIED: 'modified', DELETED: 'deleted' } as const;

/** Longest message kept of a core/v1 Event (some quote whole container logs). */
const MAX_MESSAGE = 1000;

/**
 * A cluster's events. A watch change becomes `<kind>.added|modified|deleted` (`pod.added`, `replicaset.deleted`) about
 * its object; a core/v1 Event becomes `k8s_event.<kind>.<Reason>` (`k8s_event.pod.BackOff`, the reason as Kubernetes
 * spells it, as `kubectl get events` shows it) about the object it involves. Objects are named by uid (what the
 * inventory stores) and by `namespace/name` (`name` cluster-wide), which the targeted refresh of each event fetches.
 */
export const kubernetesEvents: ProviderEventSupport<KubeWatchEvent> = {
  // Nothing is dropped by default: every change is one the inventory follows. Noisy Event reasons can be listed in
  // the fleet's eventFiltersByType; repeats of one are held back by the flood guard.
  filteredTypes: [],

  parse(native: KubeWatchEvent): ProviderEvent {
    if (native.resource === 'events') return parseCoreEvent(native.object, native.receivedAt);
    const meta = native.object.metadata ?? {};
    const noun = NOUNS[native.resource];
    const name = nameRef(meta.namespace, meta.name, WATCHED[native.resource].namespaced);
    const timestamp = native.phase === 'ADDED' ? meta.creationTimestamp : native.phase === 'DELETED' ? meta.deletionTimestamp : undefined;
    const ref = objectRef(noun.collection, meta.uid, name);
    return {
      sourceId: sourceIdOf(meta),
      type: `${noun.type}.${PAST_TENSE[native.phase]}`,
      timestamp: timestamp ?? native.receivedAt,
      message: `${noun.title} ${name ?? meta.uid ?? '(unnamed)'} ${PAST_TENSE[native.phase]}`,
      refs: ref ? [ref] : [],
      // A watch notice carries the object as the change left it: its targeted refresh need not ask for it again.
      observed: native.phase === 'DELETED' ? null : native.object,
    };
  },

  targets(event: ProviderEvent): RefreshTarget[] {
    return event.refs.map((ref) => {
      const target = { collection: ref.collection, ref: ref.targetRef ?? ref.emsRef };
      // Only a watch change's own object, by the name the collector fetches by; a core/v1 Event's object is fetched.
      return event.observed === undefined || ref.targetRef === undefined ? target : { ...target, observed: event.observed };
    });
  },
};

function parseCoreEvent(event: RawCoreEvent, receivedAt: string): ProviderEvent {
  const involved = event.involvedObject ?? {};
  const kind = involved.kind ?? 'Unknown';
  const resource = Object.hasOwn(RESOURCE_OF_KIND, kind) ? RESOURCE_OF_KIND[kind] : undefined;
  const name = resource === undefined ? nameRef(involved.namespace, involved.name, involved.namespace !== undefined) : nameRef(involved.namespace, involved.name, WATCHED[resource].namespaced);
  const ref = resource === undefined ? undefined : objectRef(NOUNS[resource].collection, involved.uid, name);
  const reason = event.reason || 'Unknown';
  const message = `${kind} ${name ?? involved.uid ?? '(unnamed)'}: ${reason}${event.message ? `: ${event.message}` : ''}`;
  return {
    sourceId: sourceIdOf(event.metadata ?? {}),
    type: `k8s_event.${kind.toLowerCase()}.${reason}`,
    timestamp: event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp ?? receivedAt,
    message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message,
    refs: ref ? [ref] : [],
  };
}

/**
 * The object's uid and version: each change of an object is a new resourceVersion, so a change delivered twice (a
 * watch reopened from an older position) has the same id and is stored once.
 */
function sourceIdOf(meta: RawObjectMeta): string {
  return `${meta.uid ?? meta.name ?? ''}@${meta.resourceVersion ?? ''}`;
}

/** `namespace/name` for a namespaced object, `name` for a cluster-wide one; undefined without a name. */
function nameRef(namespace: string | undefined, name: string | undefined, namespaced: boolean): string | undefined {
  if (!name) return undefined;
  if (!namespaced) return name;
  return namespace ? `${namespace}/${name}` : undefined;
}

/** The event's reference to an object: by uid where known (what the inventory stores), refreshed by its name. */
function objectRef(collection: TargetableCollection, uid: string | undefined, name: string | undefined): EventObjectRef | undefined {
  if (uid) return { collection, emsRef: uid, ...(name === undefined ? {} : { targetRef: name }) };
  return name === undefined ? undefined : { collection, emsRef: name };
}
