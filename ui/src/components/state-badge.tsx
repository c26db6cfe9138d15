/**
 * The words providers use for an object's state, by how an operator reads them: up and well, down, or in between.
 * Power states (vSphere's poweredOn, the demo cloud's running), pod and namespace phases, volume and claim states,
 * node readiness, and a task's life (queued, running, succeeded, failed, timed_out, cancelled). Anything else is shown
 * plain.
 */
const TONES: Record<string, 'ok' | 'error' | 'never' | 'disabled'> = {
  running: 'ok', poweredon: 'ok', active: 'ok', ready: 'ok', bound: 'ok', available: 'ok', succeeded: 'ok', 'in-use': 'ok', connected: 'ok',
  stopped: 'disabled', poweredoff: 'disabled', terminated: 'disabled', released: 'disabled', 'not ready': 'error',
  failed: 'error', error: 'error', lost: 'error', disconnected: 'error', notresponding: 'error', unknown: 'error',
  paused: 'never', suspended: 'never', pending: 'never', terminating: 'never', waiting: 'never', standby: 'never',
  queued: 'never', timed_out: 'error', cancelled: 'disabled',
};

/** The names of the fields that hold a state, as the inventory tables call them. */
const STATE_FIELDS = new Set(['powerState', 'phase', 'status', 'state', 'connectionState']);

export function isStateField(name: string): boolean {
  return STATE_FIELDS.has(name);
}

/** An object's state as a coloured label where the state is one of the known words, as text otherwise. */
export function StateBadge({ state }: { state: string }) {
  const tone = TONES[state.toLowerCase()];
  return tone ? <span className={`badge badge-${tone}`} data-testid="state-badge">{state}</span> : <>{state}</>;
}
