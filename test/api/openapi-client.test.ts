import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ApiFixture } from '../support/api-fixture';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { default?: unknown };
}

interface Operation {
  operationId?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: unknown;
}

interface OpenApiDocument {
  tags?: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
}

const PROJECT = resolve(__dirname, '..', '..', '..');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * A call of an operation in openapi-fetch's terms that passes only what a caller must: required parameters without a
 * default (the server fills in the others), and the body.
 */
function callOf(path: string, method: string, operation: Operation): string {
  const parameters = operation.parameters ?? [];
  const required = (where: string): string[] => parameters
    .filter((p) => p.in === where && p.required === true && p.schema?.default === undefined)
    .map((p) => `${JSON.stringify(p.name)}: undefined as never`);
  const parts: string[] = [];
  const pathParameters = required('path');
  const queryParameters = required('query');
  if (pathParameters.length > 0 || queryParameters.length > 0) {
    parts.push(`params: { ${pathParameters.length > 0 ? `path: { ${pathParameters.join(', ')} }, ` : ''}${queryParameters.length > 0 ? `query: { ${queryParameters.join(', ')} }` : ''} }`);
  }
  if (operation.requestBody !== undefined) parts.push('body: undefined as never');
  const options = parts.length > 0 ? `, { ${parts.join(', ')} }` : '';
  return `  await client.${method.toUpperCase()}(${JSON.stringify(path)}${options});`;
}

/**
 * The OpenAPI document as third-party tools read it: every operation named and tagged with a declared tag, parameters
 * with a default optional, and a client generated from it with openapi-typescript (for openapi-fetch) compiles a
 * call of every operation that leaves out every optional parameter.
 */
describe('API: a client generated from the OpenAPI document', function () {
  this.timeout(120_000);
  let api: ApiFixture;
  let document: OpenApiDocument;
  let work: string;

  before(async () => {
    api = await ApiFixture.start();
    const response = await api.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(response.statusCode).to.equal(200);
    document = response.json() as OpenApiDocument;
    work = mkdtempSync(join(tmpdir(), 'fleet-openapi-client-'));
  });
  after(async () => {
    await api?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const operations = (): { path: string; method: string; operation: Operation }[] => Object.entries(document.paths)
    .flatMap(([path, methods]) => Object.entries(methods).filter(([method]) => METHODS.includes(method)).map(([method, operation]) => ({ path, method, operation })));

  it('names every operation once, tags it with a declared tag, and makes no parameter with a default required', () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(ids.filter((id) => typeof id !== 'string')).to.deep.equal([]);
    expect(new Set(ids).size).to.equal(ids.length);
    const declared = new Set((document.tags ?? []).map((tag) => tag.name));
    const untagged = operations().filter(({ operation }) => (operation.tags ?? []).length === 0 || !(operation.tags ?? []).every((tag) => declared.has(tag)));
    expect(untagged.map(({ path, method }) => `${method} ${path}`)).to.deep.equal([]);
    const requiredWithDefault = operations().flatMap(({ path, method, operation }) =>
      (operation.parameters ?? []).filter((p) => p.required === true && p.schema?.default !== undefined).map((p) => `${method} ${path} ${p.name}`));
    expect(requiredWithDefault).to.deep.equal([]);
    expect(document.paths['/metrics']?.get).to.have.nested.property('responses.200.content.text/plain');
  });

  it('compiles a call of every operation without its optional parameters', () => {
    writeFileSync(join(work, 'openapi.json'), JSON.stringify(document));
    symlinkSync(join(PROJECT, 'node_modules'), join(work, 'node_modules'));
    const generator = join(dirname(require.resolve('openapi-typescript/package.json')), 'bin', 'cli.js');
    const generated = spawnSync(process.execPath, [generator, 'openapi.json', '--output', 'api.d.ts'], { cwd: work, encoding: 'utf8' });
    expect(generated.status, generated.stderr).to.equal(0);

    const calls = operations().map(({ path, method, operation }) => callOf(path, method, operation));
    writeFileSync(join(work, 'client.mts'), [
      "import createClient from 'openapi-fetch';",
      "import type { paths } from './api.js';",
      "const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:8700' });",
      'export async function callEveryOperation(): Promise<void> {',
      ...calls,
      '}',
      '',
    ].join('\n'));
    const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
    const compiled = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'client.mts'], {
      cwd: work, encoding: 'utf8',
    });
    expect(calls.length).to.be.greaterThan(20);
    expect(`${compiled.stdout}${compiled.stderr}`).to.equal('');
    expect(compiled.status).to.equal(0);
  });
});
