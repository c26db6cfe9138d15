import type { RefreshOutcome } from '../../src/core/refresh/refresh-outcome';
import type { VcenterScenario } from '../cassettes/vmware-scenarios';
import { loadCassette, REPLAY_ORIGIN, REPLAY_PASSWORD } from './cassette';
import { CassetteFixture } from './cassette-fixture';

/**
 * A `vmware` provider whose vCenter is a cassette: its SDK URL is on the replay origin, its password the replay
 * password. No TLS handshake happens in a replay, so no certificate is configured (the system's CAs, never asked).
 */
export class VmwareCassetteFixture extends CassetteFixture {
  static async create(scenario: VcenterScenario): Promise<VmwareCassetteFixture> {
    const { store, provider } = await CassetteFixture.register('vmware', {
      sdkUrl: `${REPLAY_ORIGIN}/sdk`, caCertificate: null, certificateFingerprint: null, insecureSkipTlsVerify: false,
      pageSize: scenario.pageSize, timeoutSeconds: scenario.timeoutSeconds,
    }, { username: scenario.username, password: REPLAY_PASSWORD });
    return new VmwareCassetteFixture(store, provider);
  }

  /** A full refresh answered by cassette `name`, the provider configured first as it was when that was recorded. */
  override async refreshWith(name: string): Promise<RefreshOutcome> {
    const { pageSize, timeoutSeconds } = loadCassette<VcenterScenario>(name).scenario;
    await this.store.update(this.provider.id, { config: { pageSize, timeoutSeconds } }, { verify: false });
    return super.refreshWith(name);
  }
}
