/** The tags the API's operations are grouped by, declared with what each holds. */
export const API_TAGS = [
  { name: 'overview', description: 'the fleet at a glance: providers, object counts, events and workers' },
  { name: 'providers', description: 'providers: add, change, check and delete them' },
  { name: 'provider types', description: 'the kinds of provider the fleet can manage, with their settings and forms' },
  { name: 'refreshes', description: 'requested refreshes and the history of refresh runs' },
  { name: 'inventory', description: 'the inventory collections and their objects' },
  { name: 'tasks', description: 'operations on inventory objects (stop a VM...), each a task to follow' },
  { name: 'events', description: 'stored provider events' },
  { name: 'metrics', description: 'utilization samples and rollups of inventory objects' },
  { name: 'workers', description: 'worker processes and queue depths' },
  { name: 'health', description: 'liveness, readiness and Prometheus metrics of the server' },
];

/**
 * A stable name for an operation, from its method and path, for generated clients: `GET /api/v1/providers/:id/runs`
 * is `getProvidersByIdRuns`; paths outside the API are named with `server` (`GET /metrics` is `getServerMetrics`),
 * as the API has a /metrics of its own.
 */
export function operationIdFor(method: string, url: string): string {
  const inApi = url.startsWith('/api/v1/');
  const segments = (inApi ? url.slice('/api/v1/'.length) : `server/${url.slice(1)}`).split('/').filter((segment) => segment !== '');
  const words = segments.map((segment) => (segment.startsWith(':') ? `By${pascal(segment.slice(1))}` : pascal(segment)));
  return `${method.toLowerCase()}${words.join('')}`;
}

function pascal(text: string): string {
  return text.split(/[^A-Za-z0-9]+/).filter((part) => part !== '').map((part) => part[0].toUpperCase() + part.slice(1)).join('');
}

interface ParameterObject {
  required?: boolean;
  schema?: { default?: unknown };
}

/**
 * The document as clients should read it: a parameter with a default is optional (the server fills it in), though
 * the route's schema lists it as required for the handler's sake.
 */
export function withOptionalDefaults<D extends { paths?: Record<string, object | undefined> }>(document: D): D {
  for (const operations of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(operations ?? {}) as unknown[]) {
      if (typeof operation !== 'object' || operation === null || !('parameters' in operation) || !Array.isArray(operation.parameters)) continue;
      for (const parameter of operation.parameters as ParameterObject[]) {
        if (parameter.schema?.default !== undefined) parameter.required = false;
      }
    }
  }
  return document;
}
