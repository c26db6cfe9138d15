import type { FleetConfig } from '../config/fleet-config';
import type { AnyProviderType } from '../providers/provider';
import type { WorkerRoleName } from './orchestrators/orchestrator';

/** Shared workers kept while any provider has a worker of the role they serve. */
export interface SharedWorkers {
  role: WorkerRoleName;
  count: number;
  serving: WorkerRoleName;
}

/** What workers the fleet's providers need besides one refresh worker each. */
export interface WorkerPlan {
  /** Per-provider roles a provider of a type needs. */
  providerRoles(type: string): readonly WorkerRoleName[];
  sharedWorkers: readonly SharedWorkers[];
}

/**
 * The fleet's plan from its configuration and its types: an event catcher for providers of types with an event
 * stream and a metrics collector for types with metrics (each unless turned off), with their shared handlers and
 * processors.
 */
export function workerPlan(config: FleetConfig, types: Readonly<Record<string, AnyProviderType>>): WorkerPlan {
  return {
    providerRoles(type) {
      if (!Object.hasOwn(types, type)) return [];
      const roles: WorkerRoleName[] = [];
      if (config.eventCatching && types[type].events) roles.push('event-catcher');
      if (config.metricsCollection && types[type].metrics) roles.push('metrics-collector');
      return roles;
    },
    sharedWorkers: [
      { role: 'event-handler', count: config.eventHandlers, serving: 'event-catcher' },
      { role: 'metrics-processor', count: config.metricsProcessors, serving: 'metrics-collector' },
    ],
  };
}
