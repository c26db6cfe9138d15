import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import Mustache from 'mustache';
import { ValidationError } from '../errors';
import { EXAMPLE_METRICS_WINDOW, EXAMPLE_PAGE_SIZE, exampleCassettes, exampleObjects, exampleRoles } from './example-cassettes';
import { isManagerKind, MANAGER_KINDS, STANDARD_COLLECTIONS, type ManagerKind, type StandardCollection } from './manager-kinds';

/** The fleet's own folder (this module runs from dist/src/generator). */
const FLEET_ROOT = resolve(__dirname, '..', '..', '..');
const TEMPLATES = join(FLEET_ROOT, 'templates', 'provider');
/** Tags that TypeScript's braces never form, and no HTML escaping: the files are code, JSON and Markdown. */
const RENDERING = { tags: ['<%', '%>'] as [string, string], escape: (value: unknown): string => String(value) };
/** A type's name: lowercase words joined by hyphens, as the fleet's own (`demo`, `kubernetes`, `vmware`). */
const TYPE_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const TYPE_NAME_MAX = 40;

export interface ProviderGeneration {
  name: string;
  managerType: string;
  /** Where the package goes (default ./providers/NAME, from `cwd`). */
  path?: string;
  events: boolean;
  metrics: boolean;
  /** A test suite replaying cassettes written from the example objects (`--no-cassettes`: neither). */
  cassettes: boolean;
  /** The types the fleet has: a new one may not take their names. */
  knownTypes: readonly string[];
  cwd: string;
}

/** Each template, the file it becomes, and whether the generation wants it. */
const FILES: readonly { template: string; file: string; wanted?: (g: ProviderGeneration) => boolean }[] = [
  { template: 'package.json', file: 'package.json' },
  { template: 'tsconfig.json', file: 'tsconfig.json' },
  { template: 'gitignore', file: '.gitignore' },
  { template: 'README.md', file: 'README.md' },
  { template: 'src/index.ts', file: 'src/index.ts' },
  { template: 'src/native.ts', file: 'src/native.ts' },
  { template: 'src/api-client.ts', file: 'src/api-client.ts' },
  { template: 'src/inventory.ts', file: 'src/inventory.ts' },
  { template: 'src/collector.ts', file: 'src/collector.ts' },
  { template: 'src/parser.ts', file: 'src/parser.ts' },
  { template: 'src/provider.ts', file: 'src/provider.ts' },
  { template: 'src/events.ts', file: 'src/events.ts', wanted: (g) => g.events },
  { template: 'src/metrics.ts', file: 'src/metrics.ts', wanted: (g) => g.metrics },
  { template: 'mocharc.json', file: '.mocharc.json', wanted: (g) => g.cassettes },
  { template: 'test/provider.test.ts', file: 'test/provider.test.ts', wanted: (g) => g.cassettes },
];

/**
 * Writes a provider package for a new type: its type, connection, collector, parser and inventory for the manager
 * kind's standard collections, an event stream, metrics and a test suite with its cassettes unless left out, and a
 * README. Bad input is refused before anything is written, and the package appears whole or not at all (written
 * beside its place, then renamed). Answers the package's folder and its files.
 */
export function generateProvider(generation: ProviderGeneration): { directory: string; files: string[] } {
  const { name, managerType, knownTypes } = generation;
  if (!TYPE_NAME.test(name) || name.length > TYPE_NAME_MAX) {
    throw new ValidationError(`"${name}" is not a valid type name: lowercase letters and digits, words joined by single hyphens, starting with a letter, at most ${TYPE_NAME_MAX} characters (e.g. awesome-cloud)`);
  }
  if (knownTypes.includes(name)) throw new ValidationError(`the fleet already has a provider type "${name}": choose another name`);
  if (!isManagerKind(managerType)) throw new ValidationError(`unknown manager type "${managerType}" (known: ${MANAGER_KINDS.join(', ')})`);
  const directory = resolve(generation.cwd, generation.path ?? join('providers', name));
  if (existsSync(directory)) throw new ValidationError(`${directory} exists: give another --path, or remove it first`);

  const view = viewOf(generation, managerType, directory);
  const rendered = FILES.filter((f) => f.wanted?.(generation) ?? true)
    .map(({ template, file }) => ({ file, text: Mustache.render(readFileSync(join(TEMPLATES, `${template}.mustache`), 'utf8'), view, {}, RENDERING) }));
  const cassettes = !generation.cassettes ? [] : Object.entries(exampleCassettes(STANDARD_COLLECTIONS[managerType], generation))
    .map(([cassette, content]) => ({ file: `test/cassettes/${name}/${cassette}.json`, text: `${JSON.stringify(content, null, 2)}\n` }));
  const files = [...rendered, ...cassettes];
  const staging = `${directory}.generating-${process.pid}`;
  try {
    for (const { file, text } of files) {
      const target = join(staging, file);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
    mkdirSync(dirname(directory), { recursive: true });
    renameSync(staging, directory);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { directory, files: files.map((f) => f.file) };
}

/** What the templates are rendered with. */
function viewOf(generation: ProviderGeneration, managerKind: ManagerKind, directory: string): Record<string, unknown> {
  const collections = STANDARD_COLLECTIONS[managerKind];
  const metricCollections = collections.filter((c) => c.metrics);
  const tested = exampleRoles(collections);
  const fleet = JSON.parse(readFileSync(join(FLEET_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const words = generation.name.split('-').map((w) => w[0].toUpperCase() + w.slice(1));
  return {
    type: generation.name,
    title: words.join(' '),
    className: `${words.join('')}Provider`,
    packageName: `fleet-provider-${generation.name}`,
    managerKind,
    events: generation.events,
    metrics: generation.metrics,
    cassettes: generation.cassettes,
    collections,
    targetableCollections: collections.filter((c) => c.targetable),
    metricCollections: metricCollections.map((c) => ({ ...c, parent: metricParent(c, metricCollections) })),
    metricCollectionNames: metricCollections.map((c) => c.name).join(' and '),
    entityImports: collections.map((c) => c.entity).join(', '),
    fleetDependency: `file:${relative(directory, FLEET_ROOT) || '.'}`,
    modulePath: join(directory, 'dist', 'src', 'index.js'),
    exampleObjects: JSON.stringify(Object.fromEntries(collections.map((c) => [c.path, exampleObjects(c, collections)[0]])), null, 2),
    pageSize: EXAMPLE_PAGE_SIZE,
    metricsWindow: EXAMPLE_METRICS_WINDOW,
    firstCollection: tested.first,
    targetCollection: tested.target,
    measuredCollection: tested.measured,
    versions: {
      typescript: fleet.devDependencies.typescript, typesNode: fleet.devDependencies['@types/node'], mocha: fleet.devDependencies.mocha,
      typesMocha: fleet.devDependencies['@types/mocha'], chai: fleet.devDependencies.chai, typesChai: fleet.devDependencies['@types/chai'],
    },
  };
}

/** The attribute naming the object a collection's metrics roll up to, if it refers to another collection with metrics. */
function metricParent(collection: StandardCollection, withMetrics: readonly StandardCollection[]): string {
  const parent = collection.refs.find((r) => withMetrics.some((c) => c.name === r.target));
  return parent ? `'${parent.attribute}'` : 'null';
}
