import { Command } from 'commander';
import { createSpinner } from 'nanospinner';
import type { DataSource } from 'typeorm';
import { ValidationError } from '../../errors';
import { FINAL_TASK_STATES, Task } from '../../models';
import { findObjectId, requestOperation } from '../../queues/operation-request';
import { OperationsQueue } from '../../queues/operations-queue';
import { fleetIsRunning } from '../../server/fleet-leader';
import type { CliContext } from '../cli-context';
import { describeTask } from '../task-description';

/** Who asked, as a task asked from the command line records it. */
const REQUESTED_THROUGH_CLI = 'cli';
/** How often --wait reads the task's row. */
const POLL_MS = 200;
/** After a success, how long --wait waits more for the inventory to show the new state. */
const INVENTORY_WAIT_MS = 15_000;
/** The exit code of a task that did not succeed (as a refresh that was not ok). */
const TASK_NOT_SUCCEEDED_EXIT_CODE = 3;

/**
 * `fleet op <collection>/<object> <operation> [--param k=v ...] [--wait]`: asks for an operation as the API does (the
 * same checks, a task queued to the object's provider) and, with --wait, follows the task to its end with a spinner.
 */
export function opCommand(context: CliContext): Command {
  return new Command('op')
    .description('run an operation on an inventory object (e.g. fleet op cloud_vms/web-1 vm.stop --wait); its provider type lists its operations')
    .argument('<object>', 'collection/object: the inventory table and the object\'s id, provider reference or name (cloud_vms/42, cloud_vms/vm-0000001)')
    .argument('<operation>', 'the operation, as the provider type names it (vm.stop)')
    .option('--param <name=value>', 'a parameter of the operation (repeatable), e.g. --param flavorId=flv-01', (v: string, p: Record<string, string>) => ({ ...p, ...parseParam(v) }), {})
    .option('--provider <id or name>', 'the object\'s provider, where its reference or name is not unique across providers')
    .option('--wait', 'follow the task to its end (and the inventory to the new state) before returning')
    .option('--json', 'print the task as JSON')
    .action(async (object: string, operation: string, options: { param: Record<string, string>; provider?: string; wait?: boolean; json?: boolean }) => {
      const slash = object.indexOf('/');
      if (slash <= 0 || slash === object.length - 1) throw new ValidationError(`object "${object}" must be collection/object, e.g. cloud_vms/42 or cloud_vms/web-1`);
      const table = object.slice(0, slash);
      const dataSource = await context.dataSource();
      const queue = new OperationsQueue({ connection: context.redis(), prefix: context.config.redisPrefix });
      try {
        const store = await context.store();
        const providerId = options.provider === undefined ? undefined : (await store.get(options.provider)).id;
        const objectId = await findObjectId(dataSource, table, object.slice(slash + 1), providerId);
        const task = await requestOperation({ dataSource, store, queue }, {
          table, objectId, operation, parameters: options.param, requestedBy: REQUESTED_THROUGH_CLI, parametersNamed: '--param', parametersAsText: true,
        });
        const running = await fleetIsRunning(dataSource);
        if (!options.wait || !running) {
          if (!running && !options.json) console.error('no fleet server runs now: the task waits in its provider\'s queue until one starts');
          console.log(options.json ? JSON.stringify(task) : `task ${task.id} queued: ${task.operation} of ${task.inventory} ${task.objectId} (${task.objectRef})`);
          return;
        }
        const ended = await follow(dataSource, task, options.json === true);
        if (options.json) console.log(JSON.stringify(ended));
        if (ended.state !== 'succeeded') process.exitCode = TASK_NOT_SUCCEEDED_EXIT_CODE;
      } finally {
        await queue.close();
      }
    });
}

/** Reads the task until it ends (and, after a success, until the inventory shows it, for a while): a spinner says where it is. */
async function follow(dataSource: DataSource, asked: Task, quiet: boolean): Promise<Task> {
  const spinner = quiet ? undefined : createSpinner(describeTask(asked), { stream: process.stderr }).start();
  const tasks = dataSource.getRepository(Task);
  let task = asked;
  let inventoryDeadline: number | undefined;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    task = await tasks.findOneByOrFail({ id: asked.id });
    spinner?.update({ text: describeTask(task) });
    if (!FINAL_TASK_STATES.includes(task.state)) continue;
    if (task.state !== 'succeeded' || task.inventoryShownAt !== null) break;
    inventoryDeadline ??= Date.now() + INVENTORY_WAIT_MS;
    if (Date.now() > inventoryDeadline) break;
  }
  if (task.state === 'succeeded') spinner?.success({ text: describeTask(task) });
  else spinner?.error({ text: describeTask(task) });
  return task;
}

function parseParam(value: string): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new ValidationError(`parameter "${value}" must be name=value, e.g. flavorId=flv-01`);
  return { [value.slice(0, at)]: value.slice(at + 1) };
}
