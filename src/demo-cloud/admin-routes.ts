import type { FastifyInstance } from 'fastify';
import type { DemoActivity } from './activity';
import type { DemoEventLog } from './event-log';
import type { FaultSwitches } from './faults';
import { HttpError } from './http-error';
import { InvalidInputError } from './invalid-input-error';
import type { DemoMetricsService } from './metrics-service';
import { isPowerState, POWER_STATES, type MutationRequest } from './model';
import type { DemoCloudState } from './state';

export interface AdminRouteDeps {
  state: DemoCloudState;
  events: DemoEventLog;
  metrics: DemoMetricsService;
  faults: FaultSwitches;
  activity: DemoActivity;
}

const MUTATION_FIELDS = ['update_percent', 'add', 'delete'] as const;
/** The most alarms one request may raise. */
const MAX_ALARMS = 10_000;

/**
 * Routes for whoever runs the simulator (tests, benchmarks, the quickstart): change the inventory, flip or resize
 * VMs, run background activity, switch faults on and off. No credentials, as they are not part of the simulated cloud's API.
 */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  const { state, faults, activity, events, metrics } = deps;

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/admin/state', async () => ({
    region: state.region,
    counts: state.counts(),
    mutations: state.mutations,
    metrics_served: metrics.served,
  }));

  app.post('/admin/mutate', async (request) => state.mutate(parseMutationRequest(request.body)));

  app.post<{ Params: { id: string } }>('/admin/vms/:id/power', async (request) => {
    const powerState = isRecord(request.body) ? request.body.state : undefined;
    if (!isPowerState(powerState)) {
      throw new InvalidInputError(`state must be one of: ${POWER_STATES.join(', ')}`);
    }
    const vm = state.setPowerState(request.params.id, powerState);
    if (!vm) throw new HttpError(404, 'not found');
    return vm;
  });

  app.post<{ Params: { id: string } }>('/admin/vms/:id/resize', async (request) => {
    const flavorId = isRecord(request.body) ? request.body.flavor_id : undefined;
    if (typeof flavorId !== 'string' || flavorId === '') throw new InvalidInputError('flavor_id must be a flavor id, e.g. flv-01');
    const vm = state.resize(request.params.id, flavorId);
    if (!vm) throw new HttpError(404, 'not found');
    return vm;
  });

  // A flood of identical events, as a flapping alarm makes them.
  app.post<{ Params: { id: string } }>('/admin/vms/:id/alarms', async (request) => {
    const count = isRecord(request.body) ? request.body.count : undefined;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_ALARMS) {
      throw new InvalidInputError(`count must be a whole number from 1 to ${MAX_ALARMS}`);
    }
    if (!state.get('vms', request.params.id)) throw new HttpError(404, 'not found');
    return events.raiseAlarms(request.params.id, count);
  });

  app.get('/admin/activity', async () => activity.current());
  app.put('/admin/activity', async (request) => activity.start(isRecord(request.body) ? request.body.rate_per_second : undefined));
  app.delete('/admin/activity', async () => {
    activity.stop();
    return activity.current();
  });

  app.get('/admin/faults', async () => faults.current());
  app.put('/admin/faults', async (request) => faults.set(request.body ?? {}));
  app.delete('/admin/faults', async () => {
    faults.clear();
    return faults.current();
  });
}

/** Shape checks only; the ranges are checked by the state, which knows how many VMs there are. */
function parseMutationRequest(body: unknown): MutationRequest {
  if (body === undefined || body === null) return {};
  if (!isRecord(body)) throw new InvalidInputError('mutation must be a JSON object');
  const unknown = Object.keys(body).filter((key) => !(MUTATION_FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) throw new InvalidInputError(`unknown mutation field(s): ${unknown.join(', ')}`);
  const request: MutationRequest = {};
  const problems: string[] = [];
  for (const field of MUTATION_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    if (typeof value !== 'number') problems.push(`${field} must be a number`);
    else request[field] = value;
  }
  if (problems.length > 0) throw new InvalidInputError(problems.join('; '));
  return request;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
