import type { FleetConfig } from '../config/fleet-config';
import type { PerProviderRoleName, SharedRoleName } from '../core/workers/worker-role-facts';
import type { AnyProviderType } from '../providers/provider';
import { PER_PROVIDER_ROLES, SHARED_ROLES, WORKER_ROLES } from '../workers/worker-roles';

/** Shared workers kept while any provider has a worker of the role they serve. */
export interface SharedWorkers {
  role: SharedRoleName;
  count: number;
  serving: PerProviderRoleName;
}

/** What workers the fleet's providers need. */
export interface WorkerPlan {
  /** The per-provider roles a provider of a type, with this config, needs (a refresh worker at least). */
  providerRoles(type: string, providerConfig: Readonly<Record<string, unknown>>): readonly PerProviderRoleName[];
  sharedWorkers: readonly SharedWorkers[];
}

/** Without a plan of its own the supervisor keeps one refresh worker per enabled provider. */
export const REFRESH_ONLY_PLAN: WorkerPlan = { providerRoles: () => ['refresh'], sharedWorkers: [] };

/**
 * The fleet's plan from its configuration and its types, as the role table says: per provider the roles that want
 * a provider of its type (a refresh worker always, an event catcher for types with an event stream, a metrics
 * collector for types with metrics and providers configured to capture them, each unless turned off), and the
 * shared roles serving them.
 */
export function workerPlan(config: FleetConfig, types: Readonly<Record<string, AnyProviderType>>): WorkerPlan {
  return {
    providerRoles(type, providerConfig) {
      const known = Object.hasOwn(types, type) ? types[type] : undefined;
      return PER_PROVIDER_ROLES.filter((role) => WORKER_ROLES[role].wanted(known, config, providerConfig));
    },
    sharedWorkers: SHARED_ROLES.map((role) => ({ role, count: WORKER_ROLES[role].count(config), serving: WORKER_ROLES[role].serving })),
  };
}
