import type { FleetConfig } from '../config/fleet-config';
import type { Stoppable } from '../core/lifecycle/stoppable';
import type { PerProviderRoleName, WorkerRoleName } from '../core/workers/worker-role-facts';
import type { Logger } from '../logging/logger';
import type { ProviderDataKey } from '../models';
import type { AnyProviderType } from '../providers/provider';
import type { WorkerContext } from './worker-context';

/**
 * A running worker's work: stop() ends it (graceful lets what is in hand finish, forced hands it back at once);
 * `failed` rejects if the work can end by itself, failing.
 */
export interface WorkerHandle extends Stoppable {
  /** For work that can fail on its own: rejects when it does (it may resolve once stopped). */
  failed?: Promise<void>;
}

/** A role of which each provider has its own worker. */
export interface PerProviderRole {
  perProvider: true;
  /** Where the provider's data shows this role's workers crashing (see the supervisor's back-off). */
  crashKey: ProviderDataKey & `${string}Crashes`;
  /** The queue its worker consumes, recorded on the worker's row; null when it consumes none. */
  queueName(providerId: string): string | null;
  /**
   * Whether a provider of the type, configured with `providerConfig`, gets a worker of the role (`type` undefined: a
   * type the fleet does not know).
   */
  wanted(type: AnyProviderType | undefined, config: FleetConfig, providerConfig: Readonly<Record<string, unknown>>): boolean;
  /** Starts the work of a registered worker process. */
  start(context: WorkerContext, options: { providerId: string; logger: Logger }): Promise<WorkerHandle>;
}

/** A role whose workers serve every provider. */
export interface SharedRole {
  perProvider: false;
  queueName(): string | null;
  /** Its workers run while any provider has a worker of this role ... */
  serving: PerProviderRoleName;
  /** ... this many of them. */
  count(config: FleetConfig): number;
  start(context: WorkerContext, options: { logger: Logger }): Promise<WorkerHandle>;
}

/** What the fleet knows of a role: per provider or shared, as the role's facts (WORKER_ROLE_FACTS) say. */
export type WorkerRole<R extends WorkerRoleName> = R extends PerProviderRoleName ? PerProviderRole : SharedRole;
