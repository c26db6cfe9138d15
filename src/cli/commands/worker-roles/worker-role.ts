import type { Logger } from '../../../logging/logger';
import type { CliContext } from '../../cli-context';

/** A running worker's work: `stopped` settles when it ends by itself (it failed), `stop` ends it. */
export interface RunningRole {
  /** Stops the work: lets what is in hand finish, or (`force`) hands it back at once. */
  stop(force: boolean): Promise<void>;
  /** Rejects when the work failed on its own; never settles for work that runs until stopped. */
  stopped: Promise<void>;
}

/** One kind of worker process: what it needs and how it starts once registered. */
export interface WorkerRole {
  /** Whether it serves one provider (`--provider`) or all of them. */
  perProvider: boolean;
  start(context: CliContext, options: { providerId: string | null; logger: Logger }): Promise<RunningRole>;
}

/** Work that runs until stopped and never fails on its own. */
export const RUNS_UNTIL_STOPPED = new Promise<void>(() => undefined);
