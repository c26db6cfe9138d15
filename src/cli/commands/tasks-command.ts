import { Command } from 'commander';
import { UserError } from '../../errors';
import { Task, TASK_STATES, type TaskState } from '../../models';
import { cancelTask } from '../../queues/operation-request';
import { OperationsQueue } from '../../queues/operations-queue';
import type { CliContext } from '../cli-context';
import { describeTask } from '../task-description';
import { textTable } from '../text-table';

/** `fleet tasks [--provider ID] [--state STATE]`: recent operations, newest first; `fleet tasks cancel <id>`. */
export function tasksCommand(context: CliContext): Command {
  return new Command('tasks')
    .description('list recent operations on inventory objects, newest first')
    .option('--provider <id>', 'only this provider\'s')
    .option('--state <state>', `only those in this state (${TASK_STATES.join(', ')})`)
    .option('--limit <n>', 'how many', (v: string) => Number.parseInt(v, 10), 50)
    .action(async (options: { provider?: string; state?: string; limit: number }) => {
      if (options.state !== undefined && !(TASK_STATES as readonly string[]).includes(options.state)) {
        throw new UserError(`unknown task state "${options.state}" (known: ${TASK_STATES.join(', ')})`);
      }
      if (options.provider !== undefined && !/^[1-9][0-9]{0,17}$/.test(options.provider)) throw new UserError(`"${options.provider}" is not a provider id`);
      if (!(options.limit >= 1 && options.limit <= 1000)) throw new UserError('--limit must be from 1 to 1000');
      const found = await (await context.dataSource()).getRepository(Task).find({
        where: { ...(options.provider ? { providerId: options.provider } : {}), ...(options.state ? { state: options.state as TaskState } : {}) },
        order: { id: 'DESC' }, take: options.limit,
      });
      const table = textTable(['id', 'provider', 'operation', 'object', 'asked by', 'state', 'created', 'took s', 'error']);
      for (const task of found) {
        const took = task.finishedAt && task.startedAt ? ((task.finishedAt.getTime() - task.startedAt.getTime()) / 1000).toFixed(1) : '';
        table.push([task.id, task.providerId, task.operation, `${task.inventory}/${task.objectId}`, task.requestedBy, task.state, task.createdAt.toISOString(), took, task.error ?? '']);
      }
      console.log(table.toString());
    })
    .addCommand(new Command('cancel')
      .description('cancel a task that has not started')
      .argument('<id>', 'the task\'s id (see fleet tasks)')
      .action(async (id: string) => {
        if (!/^[1-9][0-9]{0,17}$/.test(id)) throw new UserError(`"${id}" is not a task id`);
        const queue = new OperationsQueue({ connection: context.redis(), prefix: context.config.redisPrefix });
        try {
          console.log(describeTask(await cancelTask({ dataSource: await context.dataSource(), queue }, id)));
        } finally {
          await queue.close();
        }
      }));
}
