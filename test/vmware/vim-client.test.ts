import { expect } from 'chai';
import { InvalidCredentialsError, ProviderApiError } from '../../src/errors';
import { HttpRetryPolicy } from '../../src/providers/http-retry';
import { containerViewObjectSpec } from '../../src/providers/vmware/property-filter-spec';
import { VimClient } from '../../src/providers/vmware/vim-client';
import { VimFaultError } from '../../src/providers/vmware/vim-fault-error';
import { isManagedObjectReference, sameObject, type ManagedObjectReference } from '../../src/providers/vmware/vim-values';
import { PrivateVcsim } from '../support/vcsim';

/** The vSphere SOAP client against a live vcsim: sessions, the PropertyCollector, events and performance data. */
describe('vmware: the vSphere SOAP client against vcsim', () => {
  const vcsim = new PrivateVcsim({
    datacenters: 1, clustersPerDatacenter: 1, hostsPerCluster: 2, standaloneHosts: 1, poolsPerCluster: 0, vmsPerPool: 3, datastores: 1, portgroups: 1,
  });
  const clients: VimClient[] = [];

  before(async function () {
    this.timeout(60_000);
    await vcsim.start();
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await vcsim.stop();
  });

  function client(overrides: { password?: string } = {}): VimClient {
    const made = new VimClient({
      sdkUrl: vcsim.sdkUrl, username: vcsim.username, password: overrides.password ?? vcsim.password,
      tls: { caCertificate: vcsim.certificatePem, certificateFingerprint: null, insecureSkipTlsVerify: false },
      timeoutMs: 10_000, retry: new HttpRetryPolicy({ maxAttempts: 1 }),
    });
    clients.push(made);
    return made;
  }

  /** Every object of `type` in the inventory, with `paths`, through a container view on the root folder. */
  async function objectsOf(vim: VimClient, type: string, paths: string[], maxObjects?: number) {
    const { rootFolder } = await vim.serviceContent();
    const view = await vim.createContainerView(rootFolder, [type], true);
    try {
      const pages = [];
      for await (const page of vim.retrieveAll({ propSet: [{ type, paths }], objectSet: [containerViewObjectSpec(view)] }, maxObjects)) pages.push(page);
      return pages;
    } finally {
      await vim.destroyView(view);
    }
  }

  async function powerOff(vim: VimClient, vm: ManagedObjectReference): Promise<void> {
    // A task vcsim completes at once; the test waits for its state through the PropertyCollector.
    const [task] = await vim.connection.invoke('PowerOffVM_Task', vm, {});
    expect(task?.text).to.be.a('string').and.not.equal('');
  }

  it('logs in with the right password and names the session', async () => {
    const vim = client();
    const session = await vim.login();
    expect(session.userName).to.equal(vcsim.username);
    expect(session.key).to.be.a('string').and.not.equal('');
    const content = await vim.serviceContent();
    expect(content.about.apiType).to.equal('VirtualCenter');
    expect(content.about.apiVersion).to.match(/^\d+\.\d+/);
  });

  it('refuses a wrong password with InvalidCredentialsError, quoting no password', async () => {
    const wrong = `wrong-${vcsim.password}`;
    const error = await client({ password: wrong }).login().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(InvalidCredentialsError);
    const failure = error as Error;
    expect(failure.message).to.match(/InvalidLogin/);
    for (const text of [failure.message, String(failure.stack), JSON.stringify(failure)]) {
      expect(text).not.to.include(wrong);
      expect(text).not.to.include(vcsim.password);
    }
  });

  it('retrieves VMs and hosts through a container view, typed by their xsi:type', async () => {
    const vim = client();
    const vmPages = await objectsOf(vim, 'VirtualMachine', ['name', 'runtime.powerState', 'config.hardware.numCPU', 'datastore', 'runtime.host', 'config.template'], 2);
    // vcsim never pages: one page, whatever maxObjects says (the paging itself has a test of its own).
    const vms = vmPages.flat();
    // 3 VMs in the cluster's pool, 3 on the standalone host.
    expect(vms).to.have.length(6);
    for (const vm of vms) {
      expect(vm.obj.type).to.equal('VirtualMachine');
      expect(vm.properties.get('name')).to.be.a('string');
      expect(vm.properties.get('runtime.powerState')).to.equal('poweredOn');
      expect(vm.properties.get('config.hardware.numCPU')).to.be.a('number');
      expect(vm.properties.get('config.template')).to.equal(false);
      const host = vm.properties.get('runtime.host');
      expect(isManagedObjectReference(host) && host.type).to.equal('HostSystem');
      // A list of one datastore is a list all the same.
      const datastores = vm.properties.get('datastore');
      expect(datastores).to.be.an('array').with.length(1);
      expect(isManagedObjectReference((datastores as unknown[])[0] as ManagedObjectReference)).to.equal(true);
    }
    const hosts = (await objectsOf(vim, 'HostSystem', ['name', 'vm', 'summary.hardware.numCpuCores'])).flat();
    expect(hosts).to.have.length(3);
    const vmsOnHosts = hosts.flatMap((host) => host.properties.get('vm') as ManagedObjectReference[]);
    expect(vmsOnHosts.map((ref) => ref.value).sort()).to.deep.equal(vms.map((vm) => vm.obj.value).sort());
  });

  it('reports a power change through WaitForUpdatesEx, from the version of the first answer', async () => {
    const vim = client();
    const { rootFolder } = await vim.serviceContent();
    const view = await vim.createContainerView(rootFolder, ['VirtualMachine'], true);
    const filter = await vim.createFilter({ propSet: [{ type: 'VirtualMachine', paths: ['runtime.powerState'] }], objectSet: [containerViewObjectSpec(view)] }, false);
    try {
      const initial = await vim.waitForUpdatesEx('', 5);
      expect(initial).not.to.equal(null);
      const entered = initial!.filters.flatMap((each) => each.objects);
      expect(entered.length).to.equal(6);
      expect(entered.every((update) => update.kind === 'enter')).to.equal(true);
      const vm = entered[0]!.obj;

      await powerOff(vim, vm);
      const changed = await vim.waitForUpdatesEx(initial!.version, 5);
      expect(changed).not.to.equal(null);
      // vCenter's versions grow with each change; vcsim's stay "-": only their presence is vCenter's contract here.
      expect(changed!.version).to.be.a('string').and.not.equal('');
      const updates = changed!.filters.flatMap((each) => each.objects);
      const update = updates.find((each) => sameObject(each.obj, vm));
      expect(update?.kind).to.equal('modify');
      expect(update?.changes).to.deep.include({ name: 'runtime.powerState', op: 'assign', value: 'poweredOff' });

      // Nothing more happened: the wait ends empty.
      expect(await vim.waitForUpdatesEx(changed!.version, 1)).to.equal(null);
    } finally {
      await vim.destroyPropertyFilter(filter);
      await vim.destroyView(view);
    }
  });

  it('reads the events of a power change through an event history collector, and the newest through QueryEvents', async () => {
    const vim = client();
    const [vm] = (await objectsOf(vim, 'VirtualMachine', ['name', 'runtime.powerState'])).flat().filter((each) => each.properties.get('runtime.powerState') === 'poweredOn');
    expect(vm).not.to.equal(undefined);
    await powerOff(vim, vm!.obj);
    const collector = await vim.createCollectorForEvents({ entity: { entity: vm!.obj, recursion: 'self' } });
    try {
      const events = await vim.readNextEvents(collector, 100);
      const poweredOff = events.find((event) => event.type === 'VmPoweredOffEvent');
      expect(poweredOff, `events: ${events.map((event) => event.type).join(', ')}`).not.to.equal(undefined);
      expect(poweredOff!.vm?.ref).to.deep.equal(vm!.obj);
      expect(poweredOff!.vm?.name).to.equal(vm!.properties.get('name'));
      expect(poweredOff!.key).to.be.a('number');
      expect(poweredOff!.host?.ref?.type).to.equal('HostSystem');
      // Read to the end: nothing more.
      expect(await vim.readNextEvents(collector, 100)).to.deep.equal([]);
      const ofVm = { entity: vm!.obj, recursion: 'self' } as const;
      const [newest] = await vim.queryEvents({ entity: ofVm, maxCount: 1 });
      expect(newest?.key).to.equal(Math.max(...events.map((event) => event.key)));
      const since = await vim.queryEvents({ entity: ofVm, beginTime: poweredOff!.createdTime, maxCount: 1000 });
      expect(since.map((event) => event.key)).to.include(poweredOff!.key);

    } finally {
      await vim.destroyCollector(collector);
    }
  });

  it('answers QueryPerf for a host and a VM with the counters looked up by name', async () => {
    const vim = client();
    const counters = await vim.perfCounters();
    const wanted = ['cpu.usage.average', 'mem.usage.average', 'net.usage.average', 'disk.usage.average'];
    const byName = new Map(counters.map((counter) => [counter.name, counter]));
    for (const name of wanted) expect(byName.has(name), name).to.equal(true);
    const ids = wanted.map((name) => byName.get(name)!.key);
    // QueryPerfCounter is not asked: vcsim 0.24's answers it with a nil dereference (the connection is reset).

    const [host] = (await objectsOf(vim, 'HostSystem', ['name'])).flat();
    const [vm] = (await objectsOf(vim, 'VirtualMachine', ['name'])).flat();
    const available = await vim.queryAvailablePerfMetric(vm!.obj, 20);
    // vcsim's VMs offer neither of the usage averages of disk (vCenter's do): the three it has must be there.
    expect(available.map((metric) => metric.counterId)).to.include.members(ids.slice(0, 3));
    expect(available.every((metric) => typeof metric.instance === 'string')).to.equal(true);

    const metricIds = ids.map((counterId) => ({ counterId, instance: '' }));
    const answer = await vim.queryPerf([host!.obj, vm!.obj].map((entity) => ({ entity, metricIds, intervalId: 20, maxSample: 3 })));
    expect(answer.map((metric) => metric.entity)).to.deep.equal([host!.obj, vm!.obj]);
    for (const metric of answer) {
      expect(metric.samples).to.have.length(3);
      expect(metric.samples.every((sample) => sample.interval === 20 && !Number.isNaN(Date.parse(sample.timestamp)))).to.equal(true);
      expect(metric.series.map((series) => series.id.counterId)).to.deep.equal(ids);
      for (const series of metric.series) {
        expect(series.values).to.have.length(3);
        expect(series.values.every((value) => Number.isInteger(value) && value >= 0)).to.equal(true);
      }
    }
  });

  it('logs in again once when the session was ended under it, and goes on', async () => {
    const vim = client();
    const first = await vim.login();
    const { rootFolder, sessionManager } = await vim.serviceContent();
    // Another session ends this one, as an administrator would.
    const admin = client();
    await admin.connection.invoke('TerminateSession', sessionManager, { sessionId: [first.key] });

    const view = await vim.createContainerView(rootFolder, ['HostSystem'], true);
    expect(view.type).to.equal('ContainerView');
    expect(vim.connection.session?.key).to.be.a('string').and.not.equal(first.key);
    await vim.destroyView(view);
  });

  it('reports other faults by their type, naming no password', async () => {
    const vim = client();
    const error = await vim.destroyView({ type: 'ContainerView', value: 'no-such-view' }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(VimFaultError);
    expect((error as VimFaultError).faultType).to.equal('ManagedObjectNotFound');
    expect((error as Error).message).to.match(/^DestroyView: vCenter at 127\.0\.0\.1:\d+ answered with a fault: ManagedObjectNotFound/);
    expect((error as Error).message).not.to.include(vcsim.password);
  });

  it('ends a call when its signal aborts, and when its deadline passes', async () => {
    const vim = client();
    const { rootFolder } = await vim.serviceContent();
    const view = await vim.createContainerView(rootFolder, ['HostSystem'], true);
    await vim.createFilter({ propSet: [{ type: 'HostSystem', paths: ['name'] }], objectSet: [containerViewObjectSpec(view)] }, false);
    const { version } = (await vim.waitForUpdatesEx('', 5))!;
    // Nothing changes: the server holds the next wait for its full 30 s, unless the call ends first.
    const controller = new AbortController();
    const waiting = vim.waitForUpdatesEx(version, 30, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const aborted = await waiting.then(() => undefined, (e: unknown) => e);
    expect(aborted).to.be.instanceOf(ProviderApiError);
    expect((aborted as Error).message).to.equal('WaitForUpdatesEx: aborted');

    const late = await vim.waitForUpdatesEx(version, 30, { timeoutMs: 300 }).then(() => undefined, (e: unknown) => e);
    expect(late).to.be.instanceOf(ProviderApiError);
    expect((late as Error).message).to.match(/^WaitForUpdatesEx: no answer from 127\.0\.0\.1:\d+ within 0\.3 s$/);
  });
});
