/**
 * The fleet's kinds of worker process and the one fact every layer needs about each: whether it serves one provider
 * (started with `--provider`) or all of them. The role table (src/workers/worker-roles.ts) is checked against this
 * record by the compiler; the API and the UI read it where they need no more than names.
 */
export const WORKER_ROLE_FACTS = {
  /** Consumes the provider's refresh queue, runs its refreshes. */
  refresh: { perProvider: true },
  /** Streams the provider's events into the events queue. */
  'event-catcher': { perProvider: true },
  /** Stores every provider's events, turns them into targeted refresh requests. */
  'event-handler': { perProvider: false },
  /** Captures the provider's utilization samples. */
  'metrics-collector': { perProvider: true },
  /** Stores every provider's samples, keeps rollups and partitions. */
  'metrics-processor': { perProvider: false },
} as const satisfies Record<string, { perProvider: boolean }>;

export type WorkerRoleName = keyof typeof WORKER_ROLE_FACTS;

/** The roles of which each provider has its own worker. */
export type PerProviderRoleName = { [R in WorkerRoleName]: (typeof WORKER_ROLE_FACTS)[R]['perProvider'] extends true ? R : never }[WorkerRoleName];

/** The roles whose workers serve every provider. */
export type SharedRoleName = Exclude<WorkerRoleName, PerProviderRoleName>;

export const WORKER_ROLE_NAMES = Object.keys(WORKER_ROLE_FACTS) as readonly WorkerRoleName[];

export function isWorkerRoleName(name: string): name is WorkerRoleName {
  return Object.hasOwn(WORKER_ROLE_FACTS, name);
}

/**
 * A worker of a role, for whom it works: a per-provider role names its provider, a shared one names none (so a
 * per-provider worker's provider is never in doubt).
 */
export type WorkerAssignment = { role: PerProviderRoleName; providerId: string } | { role: SharedRoleName; providerId: null };

/** The assignment of a worker row's role and provider, or undefined when they do not fit together. */
export function workerAssignment(role: string, providerId: string | null): WorkerAssignment | undefined {
  if (!isWorkerRoleName(role)) return undefined;
  if (providerId === null) return isShared(role) ? { role, providerId } : undefined;
  return isShared(role) ? undefined : { role, providerId };
}

export function isShared(role: WorkerRoleName): role is SharedRoleName {
  return !WORKER_ROLE_FACTS[role].perProvider;
}

export function isPerProvider(role: WorkerRoleName): role is PerProviderRoleName {
  return WORKER_ROLE_FACTS[role].perProvider;
}
