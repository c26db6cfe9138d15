/** The cluster a refresh cassette recorded, as its tests need to know it. */
export interface RefreshScenario {
  /** The namespace the provider is configured with. */
  namespace: string;
  pageSize: number;
  /** The pods and services the cluster had when the cassette was recorded, by name, sorted. */
  pods: string[];
  services: string[];
  /** Containers per pod. */
  containersPerPod: number;
}

/** The cluster a watch cassette recorded. */
export interface WatchScenario {
  namespace: string;
  /** The pods created after the stream took its position, in order: each comes as pod.added, then pod.modified (its status). */
  pods: string[];
  /** The resourceVersion of the last pod change: where the pods watch stands once it has seen them all. */
  lastPodVersion: string;
}

/** The kubernetes cassettes, by file name (test/cassettes/kubernetes/<name>.json). */
export const KUBE_CASSETTES = {
  continuePages: 'kubernetes/continue-pages',
  expiredContinue: 'kubernetes/expired-continue',
  throttled: 'kubernetes/throttled',
  throttledTooLong: 'kubernetes/throttled-too-long',
  serverError: 'kubernetes/server-error',
  watchCut: 'kubernetes/watch-cut',
} as const;
