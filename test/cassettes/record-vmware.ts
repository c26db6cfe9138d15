import { HttpRetryPolicy } from '../../src/providers/http-retry';
import { containerViewObjectSpec } from '../../src/providers/vmware/property-filter-spec';
import { VimClient } from '../../src/providers/vmware/vim-client';
import type { ManagedObjectReference } from '../../src/providers/vmware/vim-values';
import { VmwareProvider } from '../../src/providers/vmware/vmware-provider';
import { createLogger } from '../../src/logging/logger';
import { REPLAY_ORIGIN, REPLAY_PASSWORD, writeCassette, type Cassette } from '../support/cassette';
import { CassetteRecorder } from '../support/cassette-recorder';
import { CassetteRelay, type RelayHook, type RelayedRequest } from '../support/cassette-relay';
import { PrivateVcsim, type VcsimSize } from '../support/vcsim';
import { tokenOf, VimPages } from './vim-pages';
import { VMWARE_CASSETTES, type VcenterScenario } from './vmware-scenarios';

/**
 * Records the vmware cassettes again against a vcsim of its own (`npm run cassettes:record`, see record.ts). Each is
 * a full refresh made by the provider's own code, configured with the replay origin and REPLAY_PASSWORD and relayed
 * to vcsim by the recorder (see CassetteRelay): the cassette holds exactly what the provider asked and what vcsim
 * answered. What vcsim does not do on demand (pages, a fault in the middle of them, a slow answer) the recorder
 * does to vcsim's real answers, saying so in `madeByRecorder`; a session that ends is ended for real, from a session
 * of the recorder's own. The password and session keys never reach the provider, and are scrubbed besides.
 */

/** One datacenter: a cluster of 2 hosts and a standalone host, 3 VMs in the cluster's pool and 3 on the standalone host. */
const SIZE: VcsimSize = {
  datacenters: 1, clustersPerDatacenter: 1, hostsPerCluster: 2, standaloneHosts: 1, poolsPerCluster: 0, vmsPerPool: 3, datastores: 1, portgroups: 1,
};
/** Small enough that the retrievals of VMs and hosts take several pages (see VimPages). */
const PAGE_SIZE = 2;
const TIMEOUT_SECONDS = 1;
const RECORDED_AGAINST = 'vcsim (govmomi 0.24 simulator, test harness)';
const ASKS_FOR = (type: string) => new RegExp(`<type>${type}</type>`);

/** Records every vmware cassette; returns their names. */
export async function recordVmware(): Promise<string[]> {
  const vcsim = new PrivateVcsim(SIZE);
  await vcsim.start();
  const own = ownClient(vcsim);
  const secrets = [vcsim.password];
  const write = (name: string, recorded: { cassette: Cassette<VcenterScenario>; secrets: string[] }): void => {
    secrets.push(...recorded.secrets);
    writeCassette(name, recorded.cassette, secrets);
  };
  try {
    const config = { pageSize: PAGE_SIZE, timeoutSeconds: 30 };
    write(VMWARE_CASSETTES.continuePages, await recordRefresh(vcsim, own, config,
      `A full refresh of a vCenter (${SIZE.vmsPerPool * 2} VMs, 3 hosts) whose every retrieval is answered ${PAGE_SIZE} objects at a time: RetrievePropertiesEx, then ContinueRetrievePropertiesEx with each page's token until a page comes without one.`,
      pagedHook(new VimPages())));

    write(VMWARE_CASSETTES.sessionExpired, await recordRefresh(vcsim, own, { pageSize: 500, timeoutSeconds: 30 },
      'A full refresh whose session ends after the hosts are retrieved (the recorder terminates it from a session of its own, as vCenter does when a session expires): vCenter answers the next call NotAuthenticated, the client logs in again once and carries on.',
      expireSessionBefore(own, (request) => request.soap?.method === 'CreateContainerView' && ASKS_FOR('Datastore').test(request.body ?? ''))));

    // vCenter changes: a VM is destroyed, the cluster renamed. The refreshes that follow fail in the VMs' retrieval.
    const [vm] = (await namesOf(own, 'VirtualMachine')).objects;
    await own.connection.invoke('PowerOffVM_Task', vm.ref, {});
    await own.connection.invoke('Destroy_Task', vm.ref, {});
    const [cluster] = (await namesOf(own, 'ClusterComputeResource')).objects;
    await own.connection.invoke('Rename_Task', cluster.ref, { newName: `${cluster.name}-renamed` });

    write(VMWARE_CASSETTES.faultMidPage, await recordRefresh(vcsim, own, config,
      'After a VM was destroyed and the cluster renamed: a full refresh, paged as in continue-pages, whose second ContinueRetrievePropertiesEx of the VMs answers a SOAP fault (InvalidArgument: the token); the client gives the token up (CancelRetrievePropertiesEx) and goes on.',
      pagedHook(new VimPages(), { faultOnContinue: 2, of: 'VirtualMachine' })));

    write(VMWARE_CASSETTES.slowAnswer, await recordRefresh(vcsim, own, { pageSize: 500, timeoutSeconds: TIMEOUT_SECONDS },
      `After a VM was destroyed and the cluster renamed: a full refresh with a ${TIMEOUT_SECONDS} s timeout whose retrieval of the VMs is answered ${TIMEOUT_SECONDS + 1} s late every time it is asked.`,
      slowHook((request) => request.soap?.method === 'RetrievePropertiesEx' && ASKS_FOR('VirtualMachine').test(request.body ?? ''), (TIMEOUT_SECONDS + 1) * 1000)));
  } finally {
    await own.close().catch(() => undefined);
    await vcsim.stop();
  }
  return Object.values(VMWARE_CASSETTES);
}

/** A full refresh by the provider's own code, relayed to vcsim and recorded, `hook` deciding each answer. */
async function recordRefresh(
  vcsim: PrivateVcsim, own: VimClient, config: { pageSize: number; timeoutSeconds: number }, description: string, hook: RelayHook,
): Promise<{ cassette: Cassette<VcenterScenario>; secrets: string[] }> {
  const scenario: VcenterScenario = {
    username: vcsim.username, ...config,
    clusters: await sortedNames(own, 'ClusterComputeResource'), hosts: await sortedNames(own, 'HostSystem'),
    datastores: await sortedNames(own, 'Datastore'), networks: await sortedNames(own, 'Network'), vms: await sortedNames(own, 'VirtualMachine'),
  };
  const recorder = new CassetteRecorder({ url: new URL(vcsim.sdkUrl).origin, caPem: vcsim.certificatePem });
  const relay = CassetteRelay.start({ origin: REPLAY_ORIGIN, recorder, standIns: [{ live: vcsim.password, standIn: REPLAY_PASSWORD }], hook });
  try {
    const provider = new VmwareProvider({
      id: null, name: 'cassette', region: null, logger: createLogger({ level: 'silent' }), fetch: globalThis.fetch,
      config: { sdkUrl: `${REPLAY_ORIGIN}/sdk`, caCertificate: null, certificateFingerprint: null, insecureSkipTlsVerify: false, ...config },
      credentials: { username: vcsim.username, password: REPLAY_PASSWORD },
    });
    for await (const item of provider.collect({ kind: 'full' })) if ('incomplete' in item) process.stdout.write(`  (as the cassette means) incomplete: ${item.reason}\n`);
  } finally {
    relay.stop();
  }
  return {
    cassette: { description, recordedAgainst: RECORDED_AGAINST, authentication: 'vim-session', scenario, interactions: recorder.interactions },
    secrets: relay.secrets,
  };
}

/**
 * Pages every retrieval (see VimPages); with `fault`, the `faultOnContinue`th ContinueRetrievePropertiesEx of the
 * retrievals of `of` (counted over all of them: the collector asks a page of members at a time) answers InvalidArgument instead, and the CancelRetrievePropertiesEx that gives its token up is
 * answered as vCenter answers it (empty).
 */
function pagedHook(pages: VimPages, fault?: { faultOnContinue: number; of: string }): RelayHook {
  /** Whether the retrieval in progress asks for the type whose retrievals fail, and how many continuations they had. */
  let asksFaulted = false;
  let continuesOfFaulted = 0;
  let faultedToken: string | undefined;
  let envelope = { open: '', close: '' };
  const xml = { 'content-type': 'text/xml; charset=utf-8' };
  return async (request, live) => {
    const body = request.body ?? '';
    const method = request.soap?.method;
    if (method === 'RetrievePropertiesEx') {
      const answer = await live();
      envelope = envelopeOf(answer.response.text);
      asksFaulted = fault !== undefined && ASKS_FOR(fault.of).test(body);
      return pages.first(body, answer);
    }
    const token = tokenOf(body);
    if (method === 'ContinueRetrievePropertiesEx' && token !== undefined && pages.holds(token)) {
      if (asksFaulted) continuesOfFaulted += 1;
      if (fault !== undefined && asksFaulted && continuesOfFaulted === fault.faultOnContinue) {
        faultedToken = token;
        return {
          response: { status: 500, headers: xml, text: `${envelope.open}${invalidTokenFault()}${envelope.close}` },
          madeByRecorder: 'a fault in the middle of the pages, written as vcsim writes its faults: vCenter gives it for a token it no longer holds; vcsim has no paging to lose',
        };
      }
      return pages.next(token, xml);
    }
    if (method === 'CancelRetrievePropertiesEx' && token !== undefined && (token === faultedToken || pages.holds(token))) {
      if (pages.holds(token)) pages.cancel(token);
      return {
        response: { status: 200, headers: xml, text: `${envelope.open}<CancelRetrievePropertiesExResponse xmlns="urn:vim25"></CancelRetrievePropertiesExResponse>${envelope.close}` },
        madeByRecorder: 'the empty answer vCenter gives when a token is given up: the token is the recorder\'s, and vcsim has no CancelRetrievePropertiesEx',
      };
    }
    return live();
  };
}

/** Ends the client's session, from the recorder's own, just before the first request `when` picks is passed on. */
function expireSessionBefore(own: VimClient, when: (request: RelayedRequest) => boolean): RelayHook {
  let done = false;
  return async (request, live, relay) => {
    const session = request.soap?.session;
    if (!done && session !== undefined && session !== null && when(request)) {
      done = true;
      const { sessionManager } = await own.serviceContent();
      await own.connection.invoke('TerminateSession', sessionManager, { sessionId: [relay.liveValueOf(session)] });
    }
    return live();
  };
}

/** Holds the answer to what `when` picks `delayMs` before the client gets it; vcsim's answer itself is unchanged. */
function slowHook(when: (request: RelayedRequest) => boolean, delayMs: number): RelayHook {
  return async (request, live) => {
    const answer = await live();
    if (!when(request)) return answer;
    return { response: { ...answer.response, delayMs }, madeByRecorder: `vcsim's answer, held ${delayMs / 1000} s by the recorder: vcsim answers at once` };
  };
}

function invalidTokenFault(): string {
  return '<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>A specified parameter was not correct: token</faultstring>'
    + '<detail><InvalidArgumentFault xmlns="urn:vim25" xsi:type="InvalidArgument"><invalidProperty>token</invalidProperty></InvalidArgumentFault></detail></soapenv:Fault>';
}

/** The SOAP envelope around a live answer's body, to write an answer of the recorder's as vcsim writes its own. */
function envelopeOf(text: string): { open: string; close: string } {
  const open = /^[\s\S]*?<soapenv:Body>/.exec(text)?.[0];
  const close = /<\/soapenv:Body>[\s\S]*$/.exec(text)?.[0];
  if (open === undefined || close === undefined) throw new Error('a live answer without a SOAP body');
  return { open, close };
}

/** A client of the recorder's own, straight to vcsim (not relayed, not recorded), to read and change its inventory. */
function ownClient(vcsim: PrivateVcsim): VimClient {
  return new VimClient({
    sdkUrl: vcsim.sdkUrl, username: vcsim.username, password: vcsim.password,
    tls: { caCertificate: vcsim.certificatePem, certificateFingerprint: null, insecureSkipTlsVerify: false },
    timeoutMs: 30_000, retry: new HttpRetryPolicy({ maxAttempts: 1 }),
  });
}

async function namesOf(client: VimClient, type: string): Promise<{ objects: { ref: ManagedObjectReference; name: string }[] }> {
  const { rootFolder } = await client.serviceContent();
  const view = await client.createContainerView(rootFolder, [type], true);
  try {
    const objects: { ref: ManagedObjectReference; name: string }[] = [];
    for await (const page of client.retrieveAll({ propSet: [{ type, paths: ['name'] }], objectSet: [containerViewObjectSpec(view)] }, undefined)) {
      for (const object of page) objects.push({ ref: object.obj, name: String(object.properties.get('name')) });
    }
    return { objects };
  } finally {
    await client.destroyView(view);
  }
}

async function sortedNames(client: VimClient, type: string): Promise<string[]> {
  return (await namesOf(client, type)).objects.map((object) => object.name).sort();
}
