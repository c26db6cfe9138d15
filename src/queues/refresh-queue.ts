import { Queue, QueueEvents, type ConnectionOptions, type Job } from 'bullmq';
import { closeBullmq } from './close-bullmq';
import type { Redis } from 'ioredis';
import { FleetError, UserError } from '../errors';
import type { Provider, RefreshSource } from '../models';
import type { ProviderStore } from '../providers/provider-store';
import { checkTargetCollections, fullThresholdFor, PROVIDER_TARGET_COLLECTION, type RefreshTarget } from '../core/refresh/refresh-scope';
import type { ProgressListener, RefreshProgress } from '../core/refresh/refresh-progress';
import { jobCounts, type JobCounts } from './job-counts';
import { CLAIM_SCRIPT, HAND_BACK_SCRIPT, MERGE_SCRIPT, REQUEUE_CLAIMS_SCRIPT } from './refresh-request-scripts';
import type { RefreshJobData, RefreshJobResult, RefreshRequestMessage } from './jobs';

/** A provider's pending refresh request: a full refresh, or this many targets (none when nothing is pending). */
export interface PendingRefresh {
  full: boolean;
  targets: number;
}

/**
 * What a refresh worker takes from the queue: everything requested since the previous claim. `targets` are kept
 * when the request is full (folded or asked for), so that a full refresh that ends partial can hand them back.
 */
export interface ClaimedRefresh {
  full: boolean;
  targets: RefreshTarget[];
  sources: RefreshSource[];
}

/** What a finished refresh did not accomplish, handed back to the provider's pending request. */
export interface UnfinishedRefresh {
  /** The full refresh asked for did not happen (it failed). */
  full: boolean;
  /** Objects whose state the refresh did not establish; fetched one by one next time, never folded again. */
  targets: readonly RefreshTarget[];
  /** Whether a job runs them at once (a refresh that cannot itself hand back with a job), or the next job does. */
  queueJob: boolean;
}

export interface RefreshQueueOptions {
  redis: Redis;
  /** BullMQ's connection (a separate one; BullMQ blocks on it). */
  connection: ConnectionOptions;
  prefix: string;
  store: ProviderStore;
  /** More pending targets than this are folded into one full refresh. */
  fullThreshold: number;
}

const TARGET_SEPARATOR = '\u0000';
/** How long a finished refresh job stays, answering for its refresh's status. */
export const FINISHED_JOB_KEEP_SECONDS = 3600;

/** Where a requested refresh stands, as its job tells. */
export interface RefreshJobStatus {
  jobId: string;
  providerId: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  /** The running refresh's phase and objects built so far; the last published while it ran, once done. */
  progress: RefreshProgress | null;
  /** The finished refresh's outcome: null when a refresh that was already running had taken what this one asked. */
  result: RefreshJobResult | null;
  /** Why the job failed for good. */
  failedReason: string | null;
  requestedAt: Date;
  finishedAt: Date | null;
}

/**
 * One refresh queue per provider (ManageIQ's put_or_update, without its races): requests merge into one pending
 * request, at most one job waits and one runs per provider, and no request is lost — also when it arrives while a
 * worker is taking the job, or when a worker dies mid-refresh (the job is retried with what it had claimed).
 */
export class RefreshQueue {
  private readonly queues = new Map<string, Queue<RefreshJobData>>();

  constructor(private readonly options: RefreshQueueOptions) {}

  /** The connection its BullMQ queues use, for a BullMQ worker consuming them. */
  get connection(): ConnectionOptions {
    return this.options.connection;
  }

  /** The BullMQ queue name of a provider's refreshes. */
  static queueName(providerId: string): string {
    return `refresh-${providerId}`;
  }

  /**
   * Requests a refresh of a provider (by id or name, or as already read); refused for an unknown or disabled
   * provider. Returns the job standing for it.
   */
  async queueRefresh(provider: string | Provider, request: RefreshRequestMessage): Promise<{ providerId: string; jobId: string }> {
    return this.enqueue(typeof provider === 'string' ? await this.options.store.get(provider) : provider, request);
  }

  private async enqueue(provider: Provider, request: RefreshRequestMessage): Promise<{ providerId: string; jobId: string }> {
    if (!provider.enabled) throw new UserError(`provider "${provider.name}" is disabled; enable it to refresh it`);
    const type = this.options.store.typeOf(provider.type);
    checkTargetCollections(request.targets, Object.keys(type.inventory));
    const full = request.targets.length === 0 || request.targets.some((t) => t.collection === PROVIDER_TARGET_COLLECTION);
    const keys = this.pendingKeys(provider.id);
    const targets = full ? [] : request.targets.map((t) => ({ key: `${t.collection}${TARGET_SEPARATOR}${t.ref}`, observed: t.observed }));
    const observed = targets.filter((t) => t.observed !== undefined).flatMap((t) => [t.key, JSON.stringify(t.observed)]);
    const generation = (await this.options.redis.eval(
      MERGE_SCRIPT, 5, keys.targets, keys.full, keys.sources, keys.generation, keys.observed,
      String(fullThresholdFor(this.options.fullThreshold, type.targetedRefreshLimit)), full ? '1' : '0', request.source,
      String(observed.length / 2), ...observed, ...targets.map((t) => t.key),
    )) as number;
    return { providerId: provider.id, jobId: await this.addJob(provider.id, generation) };
  }

  /** Adds the job standing for a generation of a provider's pending requests, unless it is there already. */
  private async addJob(providerId: string, generation: number): Promise<string> {
    const jobId = `refresh-${providerId}-${generation}`;
    // The same job id while the generation lasts: BullMQ ignores the add when that job exists already. Finished
    // jobs are kept a while so the refresh's status can be asked for (the API's refresh id is the job id).
    await this.queue(providerId).add('refresh', { providerId, generation }, {
      jobId, removeOnComplete: { age: FINISHED_JOB_KEEP_SECONDS, count: 100 }, removeOnFail: { age: FINISHED_JOB_KEEP_SECONDS, count: 1000 },
      attempts: 5, backoff: { type: 'exponential', delay: 1000 },
    });
    return jobId;
  }

  /**
   * Requests a refresh and waits until the job that stands for it has finished: its outcome (null when what it
   * asked for was refreshed by a job that had claimed it before), with its progress reported on the way.
   * Throws the job's error when it failed for good.
   */
  async queueAndWait(providerIdOrName: string, request: RefreshRequestMessage, onProgress?: ProgressListener): Promise<RefreshJobResult> {
    const provider = await this.options.store.get(providerIdOrName);
    // Listening starts before the request is queued, and what is heard before the job's id is known is kept, so a
    // job that finishes at once is not missed.
    const events = new QueueEvents(RefreshQueue.queueName(provider.id), { connection: this.options.connection, prefix: this.options.prefix });
    const endings = new Map<string, () => RefreshJobResult>();
    let settle: ((jobId: string) => void) | undefined;
    const heard = (jobId: string, ending: () => RefreshJobResult): void => {
      endings.set(jobId, ending);
      settle?.(jobId);
    };
    events.on('completed', ({ jobId, returnvalue }) => heard(jobId, () => returnvalue as unknown as RefreshJobResult));
    events.on('failed', ({ jobId, failedReason }) => heard(jobId, () => {
      throw new FleetError(`the refresh failed: ${failedReason}`);
    }));
    try {
      await events.waitUntilReady();
      const { jobId } = await this.enqueue(provider, request);
      if (onProgress) {
        events.on('progress', ({ jobId: id, data }) => {
          if (id === jobId) onProgress(data as unknown as RefreshProgress);
        });
      }
      const ending = endings.get(jobId) ?? await new Promise<() => RefreshJobResult>((resolve) => {
        settle = (id) => {
          const found = endings.get(id);
          if (id === jobId && found) resolve(found);
        };
      });
      return ending();
    } finally {
      await closeBullmq(events);
    }
  }

  /** Where the refresh a job id stands for is, or null when no such job is kept (unknown, or finished long ago). */
  async status(jobId: string): Promise<RefreshJobStatus | null> {
    const match = /^refresh-(\d+)-\d+$/.exec(jobId);
    if (!match) return null;
    const job = await this.queue(match[1]).getJob(jobId);
    if (!job) return null;
    const state = await job.getState();
    const progress = typeof job.progress === 'object' && job.progress !== null ? job.progress as unknown as RefreshProgress : null;
    return {
      jobId, providerId: match[1],
      state: state === 'completed' ? 'done' : state === 'failed' ? 'failed' : state === 'active' ? 'running' : 'queued',
      progress, result: state === 'completed' ? (job.returnvalue as RefreshJobResult | null) : null,
      failedReason: state === 'failed' ? job.failedReason ?? 'failed' : null,
      requestedAt: new Date(job.timestamp), finishedAt: job.finishedOn ? new Date(job.finishedOn) : null,
    };
  }

  /** For the worker that took `job`: the request it stands for. Idempotent for one job. */
  async claim(job: Job<RefreshJobData>): Promise<ClaimedRefresh> {
    const { providerId, generation } = job.data;
    const keys = this.pendingKeys(providerId);
    const claimed = this.claimedKeys(providerId, generation);
    const [targets, full, sources, observedPairs] = (await this.options.redis.eval(
      CLAIM_SCRIPT, 11, keys.targets, keys.full, keys.sources, keys.retry, keys.generation,
      claimed.targets, claimed.full, claimed.sources, claimed.retry, keys.claims, keys.observed, String(generation),
    )) as [string[], string, string[], string[]];
    const observed = new Map<string, string>();
    for (let at = 0; at + 1 < observedPairs.length; at += 2) observed.set(observedPairs[at], observedPairs[at + 1]);
    return {
      full: full === '1',
      targets: targets.map((t) => {
        const [collection, ref] = t.split(TARGET_SEPARATOR);
        const state = observed.get(t);
        return state === undefined ? { collection, ref } : { collection, ref, observed: JSON.parse(state) as unknown };
      }),
      sources: sources.filter((s): s is RefreshSource => s !== ''),
    };
  }

  /** After the job's refresh is done (or was refused for good): forgets what it had claimed. */
  async release(job: Job<RefreshJobData>): Promise<void> {
    const { providerId, generation } = job.data;
    const claimed = this.claimedKeys(providerId, generation);
    await this.options.redis.multi().del(claimed.targets, claimed.full, claimed.sources, claimed.retry)
      .srem(this.pendingKeys(providerId).claims, String(generation)).exec();
  }

  /**
   * After the job's refresh ended partial or failed for good: what it did not accomplish goes back into the pending
   * request (targets fetched one by one do not depend on the listing that failed, so they are never folded into a
   * full refresh again), and the claim is forgotten. Targets of collections the provider's type cannot fetch on
   * their own are left to the next full refresh (the schedule retries a full refresh that did not end ok).
   */
  async handBack(job: Job<RefreshJobData>, unfinished: UnfinishedRefresh): Promise<void> {
    const { providerId, generation } = job.data;
    const { targetable } = this.options.store.typeOf((await this.options.store.get(providerId)).type);
    const targets = unfinished.targets.filter((t) => targetable.includes(t.collection)).map((t) => `${t.collection}${TARGET_SEPARATOR}${t.ref}`);
    const keys = this.pendingKeys(providerId);
    const claimed = this.claimedKeys(providerId, generation);
    const pendingGeneration = (await this.options.redis.eval(
      HAND_BACK_SCRIPT, 9, keys.full, keys.sources, keys.retry, keys.generation, keys.claims,
      claimed.targets, claimed.full, claimed.sources, claimed.retry, String(generation), unfinished.full ? '1' : '0', ...targets,
    )) as number;
    if (unfinished.queueJob && (unfinished.full || targets.length > 0)) await this.addJob(providerId, pendingGeneration);
  }

  /**
   * For a provider's new refresh worker: what its dead predecessor had claimed and not finished goes back into the
   * pending request, so the interrupted refresh runs again in the next job. Only sound when no other worker of the
   * provider is alive (the supervisor's guarantee). Returns how many claims were put back. Folds at the fleet's
   * threshold: a type's own higher limit is not looked up for this rare path, which then refreshes fully.
   */
  async requeueClaims(providerId: string): Promise<number> {
    const keys = this.pendingKeys(providerId);
    return (await this.options.redis.eval(
      REQUEUE_CLAIMS_SCRIPT, 5, keys.targets, keys.full, keys.sources, keys.retry, keys.claims,
      String(this.options.fullThreshold), `${this.options.prefix}:refresh:${providerId}:claimed:`,
    )) as number;
  }

  /** Jobs waiting (at most one) and running (at most one) for a provider. */
  async counts(providerId: string): Promise<JobCounts> {
    return jobCounts(this.queue(providerId));
  }

  /** What the providers' pending requests (not claimed by a refresh yet) ask for, in one round trip, in their order. */
  async pending(providerIds: readonly string[]): Promise<PendingRefresh[]> {
    const reads = this.options.redis.pipeline();
    for (const providerId of providerIds) {
      const keys = this.pendingKeys(providerId);
      reads.get(keys.full).scard(keys.targets).scard(keys.retry);
    }
    const replies = (await reads.exec()) ?? [];
    return providerIds.map((_providerId, i) => {
      const [[fullError, full], [targetsError, targets], [retryError, retry]] = replies.slice(3 * i, 3 * i + 3);
      if (fullError || targetsError || retryError) throw fullError ?? targetsError ?? retryError;
      // A full request keeps its targets only to hand them back should it end partial: it counts as full alone.
      return full === '1' ? { full: true, targets: 0 } : { full: false, targets: Number(targets) + Number(retry) };
    });
  }

  /** Removes a deleted provider's queue and pending requests. */
  async remove(providerId: string): Promise<void> {
    const queue = this.queue(providerId);
    await queue.obliterate({ force: true });
    await closeBullmq(queue);
    this.queues.delete(providerId);
    const keys = this.pendingKeys(providerId);
    const claimed = await this.options.redis.keys(`${this.options.prefix}:refresh:${providerId}:claimed:*`);
    await this.options.redis.del(keys.targets, keys.full, keys.sources, keys.retry, keys.generation, keys.claims, keys.observed, ...claimed);
  }

  /** Closes the queues; safe to call more than once. */
  async close(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.allSettled(queues.map((q) => closeBullmq(q)));
  }

  private queue(providerId: string): Queue<RefreshJobData> {
    let queue = this.queues.get(providerId);
    if (!queue) {
      queue = new Queue<RefreshJobData>(RefreshQueue.queueName(providerId), { connection: this.options.connection, prefix: this.options.prefix });
      this.queues.set(providerId, queue);
    }
    return queue;
  }

  /** `retry`: targets handed back by an unfinished refresh (see handBack). */
  /** `observed`: targets' states as events carried them, by target (see RefreshTarget.observed). */
  private pendingKeys(providerId: string): { targets: string; full: string; sources: string; retry: string; generation: string; claims: string; observed: string } {
    const base = `${this.options.prefix}:refresh:${providerId}`;
    return {
      targets: `${base}:pending:targets`, full: `${base}:pending:full`, sources: `${base}:pending:sources`, retry: `${base}:pending:retry`,
      generation: `${base}:generation`, claims: `${base}:claims`, observed: `${base}:pending:observed`,
    };
  }

  private claimedKeys(providerId: string, generation: number): { targets: string; full: string; sources: string; retry: string } {
    const base = `${this.options.prefix}:refresh:${providerId}:claimed:${generation}`;
    return { targets: `${base}:targets`, full: `${base}:full`, sources: `${base}:sources`, retry: `${base}:retry` };
  }
}
