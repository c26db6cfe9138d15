import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import type { NetworkPlacement } from './network-placement';

const run = promisify(execFile);

/** One host of a TestNetwork: its network namespace, its link to the hub, its address and its name. */
interface TestHost {
  netns: string;
  link: string;
  address: string;
  hostname: string;
}

/**
 * Hosts of a test's own on this machine: a network namespace per host, each linked by a veth pair to a bridge in a
 * hub namespace, where the test runs the services the hosts share (see `services`). This process reaches the hub
 * through a veth pair of its own and a route to the hub's network; the hosts are reached by nothing else. A host's
 * link can be cut (`ip link set down`: its connections hang, none closes) and mended. Programs run on a host with
 * their own hostname (a UTS namespace), so that each host is another machine to them. Needs root (`ip netns`).
 */
export class TestNetwork {
  private readonly hosts = new Map<string, TestHost>();

  private constructor(private readonly id: string, private readonly subnet: string, private readonly rootLink: string) {}

  /** Whether this process may make network namespaces. */
  static possible(): boolean {
    return userInfo().uid === 0;
  }

  static async create(hostNames: readonly string[]): Promise<TestNetwork> {
    const id = randomBytes(3).toString('hex');
    // A private /16 that another run on the machine is unlikely to have picked too.
    const subnet = `10.${randomInt(100, 250)}`;
    const network = new TestNetwork(id, subnet, `fr${id}`);
    try {
      await network.createHub();
      for (const [index, name] of hostNames.entries()) await network.addHost(name, index);
      return network;
    } catch (error: unknown) {
      await network.destroy();
      throw error;
    }
  }

  /** Where services shared by the hosts listen: the hub's address on its bridge, in the hub's namespace. */
  get services(): NetworkPlacement {
    return { address: `${this.subnet}.0.1`, netns: this.hubNetns };
  }

  /** The hostname programs run with `onHost` see. */
  hostname(name: string): string {
    return this.host(name).hostname;
  }

  /** The program and arguments that run `command` on the host, under the host's own hostname. */
  onHost(name: string, command: readonly string[]): [string, string[]] {
    const host = this.host(name);
    return ['ip', ['netns', 'exec', host.netns, 'unshare', '--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', host.hostname, ...command]];
  }

  /** Takes the host's link down: nothing passes either way, and no connection is closed. */
  async cut(name: string): Promise<void> {
    const host = this.host(name);
    await ip('-n', host.netns, 'link', 'set', host.link, 'down');
  }

  async mend(name: string): Promise<void> {
    const host = this.host(name);
    await ip('-n', host.netns, 'link', 'set', host.link, 'up');
  }

  /** Removes the namespaces (and with them their links) and this process's link and route. */
  async destroy(): Promise<void> {
    for (const host of this.hosts.values()) await ip('netns', 'delete', host.netns).catch(() => undefined);
    await ip('netns', 'delete', this.hubNetns).catch(() => undefined);
    await ip('link', 'delete', this.rootLink).catch(() => undefined);
  }

  private get hubNetns(): string {
    return `fleet-hub-${this.id}`;
  }

  private host(name: string): TestHost {
    const host = this.hosts.get(name);
    if (!host) throw new Error(`no host ${name} in this test network`);
    return host;
  }

  private async createHub(): Promise<void> {
    const hub = this.hubNetns;
    await ip('netns', 'add', hub);
    await ip('-n', hub, 'link', 'set', 'lo', 'up');
    await ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', hub, 'addr', 'add', `${this.subnet}.0.1/24`, 'dev', 'br0');
    await ip('-n', hub, 'link', 'set', 'br0', 'up');
    // This process's way to the hub.
    const hubEnd = `fh${this.id}`;
    await ip('link', 'add', this.rootLink, 'type', 'veth', 'peer', 'name', hubEnd);
    await ip('link', 'set', hubEnd, 'netns', hub);
    await ip('addr', 'add', `${this.subnet}.9.2/30`, 'dev', this.rootLink);
    await ip('link', 'set', this.rootLink, 'up');
    await ip('-n', hub, 'addr', 'add', `${this.subnet}.9.1/30`, 'dev', hubEnd);
    await ip('-n', hub, 'link', 'set', hubEnd, 'up');
    await ip('route', 'add', `${this.subnet}.0.0/24`, 'via', `${this.subnet}.9.1`, 'dev', this.rootLink);
  }

  private async addHost(name: string, index: number): Promise<void> {
    const host: TestHost = {
      netns: `fleet-${name}-${this.id}`, link: `fa${index}${this.id}`, address: `${this.subnet}.0.${10 + index}`, hostname: `fleet-${name}-${this.id}`,
    };
    const hubEnd = `fb${index}${this.id}`;
    await ip('netns', 'add', host.netns);
    this.hosts.set(name, host);
    await ip('-n', host.netns, 'link', 'set', 'lo', 'up');
    await ip('link', 'add', host.link, 'type', 'veth', 'peer', 'name', hubEnd);
    await ip('link', 'set', host.link, 'netns', host.netns);
    await ip('link', 'set', hubEnd, 'netns', this.hubNetns);
    await ip('-n', this.hubNetns, 'link', 'set', hubEnd, 'master', 'br0', 'up');
    await ip('-n', host.netns, 'addr', 'add', `${host.address}/24`, 'dev', host.link);
    await ip('-n', host.netns, 'link', 'set', host.link, 'up');
  }
}

async function ip(...args: string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (error: unknown) {
    const output = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : '';
    throw new Error(`ip ${args.join(' ')} failed: ${output}`, { cause: error });
  }
}
