import type { Logger } from '../../../logging/logger';
import type { CliContext } from '../../cli-context';

/** A running worker's work: `stop` ends it; `failed` rejects if it can end by itself, failing. */
export interface RunningRole {
  /** Stops the work: lets what is in hand finish, or (`force`) hands it back at once. */
  stop(force: boolean): Promise<void>;
  /** For work that can fail on its own: rejects when it does (it may resolve once stopped). */
  failed?: Promise<void>;
}

/** One kind of worker process: what it needs and how it starts once registered. */
export interface WorkerRole {
  /** Whether it serves one provider (`--provider`) or all of them. */
  perProvider: boolean;
  start(context: CliContext, options: { providerId: string | null; logger: Logger }): Promise<RunningRole>;
}
