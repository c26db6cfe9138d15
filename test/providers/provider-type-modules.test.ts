import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors';
import { withProviderTypeModules } from '../../src/providers/provider-type-modules';
import { providerTypes } from '../../src/providers/provider-types';

describe('provider type modules', () => {
  const hungry = join(__dirname, '..', 'support', 'hungry-provider-type.js');
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-types-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('adds the types of the modules to the shipped ones', () => {
    const types = withProviderTypeModules([hungry]);
    expect(Object.keys(types)).to.have.members([...Object.keys(providerTypes), 'hungry']);
    expect(types.hungry.title).to.equal('Hungry Awesome Cloud');
  });

  it('reports every module that cannot serve, naming it and why, in one error', () => {
    const empty = join(dir, 'empty.js');
    writeFileSync(empty, 'exports.somethingElse = 1;\n');
    const shadowing = join(dir, 'shadowing.js');
    writeFileSync(shadowing, `exports.providerType = require(${JSON.stringify(hungry)}).providerType.type === 'hungry'
      ? { ...require(${JSON.stringify(hungry)}).providerType, type: 'demo' } : null;\n`);
    const missing = join(dir, 'missing.js');
    let error: unknown;
    try {
      withProviderTypeModules([missing, empty, shadowing]);
    } catch (caught: unknown) {
      error = caught;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).to.have.length(3);
    expect(problems[0]).to.match(new RegExp(`^providerTypeModules: ${missing}: could not be loaded \\(Cannot find module`));
    expect(problems[1]).to.equal(`providerTypeModules: ${empty}: exports no providerType`);
    expect(problems[2]).to.equal(`providerTypeModules: ${shadowing}: provider type "demo" is already known`);
  });
});
