// A module of its own, apart from the worker entity so that the API schemas, which the web UI type-checks, reach no
// server code (see .dependency-cruiser.cjs).

/** A worker's life: requested (row made, process starting), running (registered), stopping, stopped. */
export const WORKER_STATUSES = ['requested', 'running', 'stopping', 'stopped'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];
