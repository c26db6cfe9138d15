import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { isWorkerRoleName, WORKER_ROLE_FACTS, WORKER_ROLE_NAMES, workerAssignment, type SharedRoleName } from '../../core/workers/worker-role-facts';
import { describeError } from '../../errors';
import type { Worker } from '../../models';
import { STOP_REASONS, workerFailedReason } from '../../server/worker-stop-reasons';
import { startHeartbeat } from '../../workers/runtime/heartbeat';
import { WorkerRegistry, type StopVerdict, type WorkerWhereabouts } from '../../workers/runtime/worker-registry';
import { PER_PROVIDER_ROLES, startWorker } from '../../workers/worker-roles';
import type { CliContext } from '../cli-context';
import { toInt } from './demo-cloud-command';

/**
 * `fleet worker <role> [--provider <id>] --worker-id <id>`: one worker process, as the supervisor starts it. The
 * one-time registration secret comes on standard input, or in a file (a pod's mounted Secret: `--secret-file`), never
 * in arguments or the environment, which other processes can read. `fleet worker <role> --join-key-file <path>`: a pod
 * of a shared role's scaled Deployment, which claims one of the role's requested rows with the role's join key,
 * waiting for one if none is requested yet. In a pod, POD_NAME (from the downward API) names the pod the worker's row
 * records.
 */
export function workerCommand(context: CliContext): Command {
  return new Command('worker')
    .description('run one worker process (started by the supervisor)')
    .argument('<role>', `worker role: ${WORKER_ROLE_NAMES.join(', ')}`)
    .option('--provider <id>', `the provider this worker serves (${PER_PROVIDER_ROLES.join(', ')})`)
    .option('--worker-id <id>', 'the worker row created for this process')
    .option('--secret-file <path>', 'read the one-time registration secret from this file, not from standard input')
    .option('--join-key-file <path>', 'claim a requested row of this shared role with the join key in this file (instead of --worker-id)')
    .option('--heartbeat-ms <ms>', 'heartbeat interval', toInt, 5_000)
    .option('--cut-off-ms <ms>', 'stop when nothing has answered its heartbeats for this long (below the server\'s heartbeat timeout)', toInt, 20_000)
    .option('--stop-timeout-ms <ms>', 'on SIGTERM, how long the work in hand may take before it is handed back', toInt, 30_000)
    .action(async (roleName: string, options: {
      provider?: string; workerId?: string; secretFile?: string; joinKeyFile?: string; heartbeatMs: number; cutOffMs: number; stopTimeoutMs: number;
    }) => {
      if (!isWorkerRoleName(roleName)) throw new Error(`unknown worker role "${roleName}" (known: ${WORKER_ROLE_NAMES.join(', ')})`);
      const providerId = options.provider ?? null;
      const assignment = workerAssignment(roleName, providerId);
      if (!assignment) throw new Error(`a ${roleName} worker ${WORKER_ROLE_FACTS[roleName].perProvider ? 'needs' : 'takes no'} --provider`);
      if ((options.workerId === undefined) === (options.joinKeyFile === undefined)) throw new Error('give either --worker-id or --join-key-file');
      if (options.joinKeyFile !== undefined && assignment.providerId !== null) throw new Error(`a ${roleName} worker serves one provider: it needs --worker-id`);
      const dataSource = await context.dataSource();
      const where = { pid: process.pid, podName: process.env.POD_NAME || null };
      const registry = new WorkerRegistry(dataSource, context.logger.child({ role: roleName }));
      const workerId = assignment.providerId === null && options.joinKeyFile !== undefined
        ? (await claimRow(registry, assignment.role, await readSecret(options.joinKeyFile), where)).id
        : (await registry.register(options.workerId ?? '', await readSecret(options.secretFile), where)).id;
      // A shared worker serves every provider: its lines name the provider each one is about.
      const logger = context.logger.child({ role: roleName, ...(providerId === null ? {} : { providerId }), workerId });
      logger.info({ event: 'worker.registered' }, 'worker registered');

      // Until a signal, an operator or its heartbeats ask it to stop, or the work fails by itself (the supervisor then
      // starts another); what comes while the work starts is kept.
      let requestStop: (verdict: StopVerdict) => void = () => undefined;
      const stopRequested = new Promise<StopVerdict>((resolve) => { requestStop = resolve; });
      let givenUp = false;
      const heartbeat = startHeartbeat({
        registry, workerId, intervalMs: options.heartbeatMs, cutOffAfterMs: options.cutOffMs, logger,
        onStop: (verdict) => {
          if (verdict.kind !== 'asked' && !givenUp) {
            // Its successor may run already (or soon, cut off): the process ends soon whatever it is doing, even
            // starting its work or writing to an unreachable database.
            givenUp = true;
            logger.warn({ event: 'worker.given_up', reason: verdict.reason }, `worker stops: ${verdict.reason}`);
            if (verdict.kind === 'cut-off') process.exitCode = 1;
            setTimeout(() => process.exit(), GIVEN_UP_EXIT_MS).unref();
          }
          requestStop(verdict);
        },
      });
      // Kept, not once: a second signal while it stops (a service manager stopping the whole group, then the server
      // stopping its workers) must not end the process before its orderly stop; the supervisor kills one too slow.
      for (const name of ['SIGTERM', 'SIGINT'] as const) process.on(name, () => requestStop({ kind: 'asked', reason: name }));
      // A provider deleted or disabled while its worker starts or runs ends the worker in order: no failure, nothing
      // to retry (the supervisor stops such a worker anyway).
      const providerGone = async (): Promise<boolean> => providerId !== null
        && (await dataSource.query('SELECT 1 FROM providers WHERE id = $1 AND enabled', [providerId]).then((rows: unknown[]) => rows.length === 0, () => false));
      const work = await startWorker(context, assignment, logger).catch(async (error: unknown) => {
        // Its row closed with why, and the heartbeat stopped, so that the process ends (the supervisor starts another).
        const gone = await providerGone();
        if (gone) {
          logger.info({ event: 'worker.provider_gone' }, 'worker stopped: its provider was deleted or disabled');
        } else {
          logger.error({ event: 'worker.start_failed', err: error }, `worker could not start: ${describeError(error)}`);
          process.exitCode = 1;
        }
        await heartbeat.stop();
        await registry.markStopped(workerId, gone ? STOP_REASONS.providerGone : workerFailedReason(describeError(error)));
        return null;
      });
      if (work === null) return void setTimeout(() => process.exit(), EXIT_AFTER_STOP_MS).unref();
      work.failed?.catch(async (error: unknown) => {
        if (await providerGone()) return requestStop({ kind: 'asked', reason: STOP_REASONS.providerGone });
        logger.error({ event: 'worker.failed', err: error }, `worker failed: ${describeError(error)}`);
        process.exitCode = 1;
        requestStop({ kind: 'asked', reason: workerFailedReason(describeError(error)) });
      });

      const { reason, kind } = await stopRequested;
      // Given up: the work in hand is handed back at once.
      if (kind !== 'asked') await work.stop({ force: true });
      logger.info({ event: 'worker.stopping', reason }, 'worker stopping');
      await registry.markStopping(workerId, reason);
      // Finish the work in hand if it ends in time; otherwise hand it back, to be taken up by the next worker.
      const finished = await Promise.race([work.stop().then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), options.stopTimeoutMs).unref())]);
      if (!finished) await work.stop({ force: true });
      await heartbeat.stop();
      await registry.markStopped(workerId, finished ? reason : `${reason}; running job handed back`);
      logger.info({ event: 'worker.stopped', handedBack: !finished }, 'worker stopped');
      // Whatever a provider's code left running (an operation's handler that ignored its deadline, with its sockets)
      // must not keep a stopped worker's process alive: its replacement may already run.
      setTimeout(() => process.exit(), EXIT_AFTER_STOP_MS).unref();
    });
}

/** How often a pod of a shared role's Deployment asks for a row to claim while none is requested. */
const CLAIM_RETRY_MS = 1_000;

/**
 * A requested row of the role, claimed with its join key; while none is requested (the pod started before the
 * supervisor asked for its worker, or replaces one whose row is not closed yet), asks again, until a signal ends it.
 */
async function claimRow(registry: WorkerRegistry, role: SharedRoleName, joinKey: string, where: WorkerWhereabouts): Promise<Worker> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal).once('SIGINT', onSignal);
  try {
    for (;;) {
      const worker = await registry.claim(role, joinKey, where);
      if (worker) return worker;
      await sleep(CLAIM_RETRY_MS, undefined, { signal: stop.signal }).catch(() => undefined);
      if (stop.signal.aborted) throw new Error(`stopped before any ${role} worker was requested for this process to claim`);
    }
  } finally {
    process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
  }
}

/** Time enough for the process to close its connections after the work stopped, and to end by itself. */
const EXIT_AFTER_STOP_MS = 5_000;
/** How long a worker that gave itself up may take to end: its last writes, if the database answers. */
const GIVEN_UP_EXIT_MS = 1_000;

/** A secret from its file, or from standard input. */
async function readSecret(file: string | undefined): Promise<string> {
  return file === undefined ? readLine() : (await readFile(file, 'utf8')).trim();
}

function readLine(): Promise<string> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    let done = false;
    const finish = (line: string): void => {
      if (done) return;
      done = true;
      lines.close();
      resolve(line.trim());
    };
    lines.once('line', finish);
    lines.once('close', () => finish(''));
  });
}
