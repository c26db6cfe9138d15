/**
 * The layer rule, checked by `npm run check:layers` (part of `npm test`): a module imports only from its own layer
 * and the layers below it. From the bottom up:
 */
const LAYERS = [
  ['config', 'errors', 'logging', 'crypto'], // settings, errors and logging every layer uses
  ['core', 'models', 'db'], // the shared vocabulary, the entities and the SQL helpers
  ['providers', 'demo-cloud', 'testing'], // provider types and their SDK; the simulator the demo type talks to; the types' test kit
  ['queues'], // typed messages and the queues that carry them
  ['workers', 'queries', 'generator'], // what consumes the queues; reads over the stored inventory; provider packages generated
  ['api', 'server'], // the HTTP API; the supervising server
  ['cli'], // the one entry point
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...LAYERS.slice(0, -1).flatMap((layer, index) => layer.map((folder) => ({
      name: `${folder}-imports-upward`,
      comment: `src/${folder} may not import from a layer above it (${LAYERS.slice(index + 1).flat().join(', ')})`,
      severity: 'error',
      from: { path: `^src/${folder}/` },
      to: { path: `^src/(${LAYERS.slice(index + 1).flat().join('|')})/` },
    }))),
    {
      name: 'queries-apart-from-workers',
      comment: 'reads over the stored inventory do not depend on the workers that write it, nor they on the reads',
      severity: 'error',
      from: { path: '^src/queries/' },
      to: { path: '^src/workers/' },
    },
    {
      name: 'workers-apart-from-queries',
      comment: 'reads over the stored inventory do not depend on the workers that write it, nor they on the reads',
      severity: 'error',
      from: { path: '^src/workers/' },
      to: { path: '^src/queries/' },
    },
    {
      name: 'no-layer-outside-the-list',
      comment: 'every folder of src/ has a place in the layers above',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: `^src/(${LAYERS.flat().join('|')})/` },
    },
    {
      name: 'provider-type-imports-the-sdk-only',
      comment: 'a provider type (src/providers/<type>/) imports from the fleet only the SDK (src/providers/sdk.ts), as a type '
        + 'kept outside the fleet must: the SDK then holds everything a type needs, and the fleet may move the rest',
      severity: 'error',
      from: { path: '^src/providers/([^/]+)/' },
      to: { path: '^src/', pathNot: '^src/providers/(sdk[.]ts$|$1/)' },
    },
    {
      name: 'no-circular',
      comment: 'modules that import each other cannot be understood (or loaded) one at a time',
      severity: 'error',
      // The one allowed: a volume's `vm` relation names its entity by a type-only import (TypeORM resolves the
      // relation by entity name at run time), so the two modules do not load each other.
      from: { path: '^src/', pathNot: '^src/models/inventory/cloud/volume[.]ts$' },
      to: { circular: true, pathNot: '^src/models/inventory/cloud/volume[.]ts$' },
    },
    {
      name: 'api-schemas-compile-in-the-ui',
      comment: 'the web UI\'s API types are the Static types of src/api/schemas, which `tsc -p ui` type-checks with all they ' +
        'reach: so they reach only TypeBox and modules of plain values and types (no entities, nothing of Node)',
      severity: 'error',
      from: { path: '^src/api/schemas/' },
      to: {
        reachable: true,
        pathNot: [
          '^src/api/schemas/',
          '(^|/)node_modules/@sinclair/typebox/',
          '^src/core/metrics/(provider-metrics|metric-intervals)[.]ts$',
          '^src/core/workers/worker-role-facts[.]ts$',
          '^src/models/(refresh-stats|worker-status|task-state)[.]ts$',
          '^src/providers/(form-schema|refresh-interval)[.]ts$',
          '^src/queries/event-type-list[.]ts$',
        ],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
