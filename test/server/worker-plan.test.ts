import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { CredentialsCipher } from '../../src/crypto/credentials-cipher';
import { providerTypes } from '../../src/providers/provider-types';
import { workerPlan } from '../../src/server/worker-plan';

describe('worker plan', () => {
  let dir: string;
  let configFile: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleet-plan-'));
    configFile = join(dir, 'fleet.config.json');
    await writeFile(configFile, '{}');
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const config = (env: NodeJS.ProcessEnv = {}) => loadConfig({ env: { FLEET_ENCRYPTION_KEY: CredentialsCipher.generateKey(), ...env }, configFile });

  it('gives a kubernetes provider a metrics collector only when it names a Prometheus to capture from', () => {
    const plan = workerPlan(config(), providerTypes);
    expect(plan.providerRoles('kubernetes', { server: 'https://127.0.0.1:6443', prometheusUrl: 'http://127.0.0.1:9090' }))
      .to.deep.equal(['refresh', 'event-catcher', 'metrics-collector']);
    expect(plan.providerRoles('kubernetes', { server: 'https://127.0.0.1:6443' })).to.deep.equal(['refresh', 'event-catcher']);
    expect(plan.providerRoles('kubernetes', { server: 'https://127.0.0.1:6443', prometheusUrl: null })).to.deep.equal(['refresh', 'event-catcher']);
  });

  it('gives every provider of a type that always captures a metrics collector, unless metrics collection is off', () => {
    expect(workerPlan(config(), providerTypes).providerRoles('demo', { endpoint: 'http://127.0.0.1:1' })).to.include('metrics-collector');
    expect(workerPlan(config({ FLEET_METRICS_COLLECTION: 'false' }), providerTypes).providerRoles('demo', {})).to.not.include('metrics-collector');
  });

  it('gives a provider of a type the fleet does not know its refresh worker only', () => {
    expect(workerPlan(config(), providerTypes).providerRoles('unknown-type', {})).to.deep.equal(['refresh']);
  });
});
