import { execFileSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'node:tls';
import { freePort } from './free-port';
import { LoggedProcess } from './logged-process';
import { PrivateServer } from './private-server';
import { until } from './wait';

const ENSURE_SCRIPT = resolve(__dirname, '..', '..', '..', 'scripts', 'ensure-vcsim.sh');

/** The inventory a simulated vCenter starts with (each count as the launcher's flag of the same meaning). */
export interface VcsimSize {
  datacenters: number;
  clustersPerDatacenter: number;
  hostsPerCluster: number;
  /** Hosts outside any cluster, per datacenter. */
  standaloneHosts: number;
  /** Child pools under each cluster's root pool. */
  poolsPerCluster: number;
  /** VMs in each resource pool and on each standalone host. */
  vmsPerPool: number;
  datastores: number;
  /** Distributed port groups per datacenter. */
  portgroups: number;
}

/** vcsim's own default model: 1 datacenter, 1 cluster of 3 hosts, 1 standalone host, 2 VMs each, 1 datastore. */
export const SMALL_VCENTER: VcsimSize = {
  datacenters: 1, clustersPerDatacenter: 1, hostsPerCluster: 3, standaloneHosts: 1, poolsPerCluster: 0, vmsPerPool: 2, datastores: 1, portgroups: 1,
};

/**
 * vcsim, a simulated vCenter (govmomi's simulator, built by scripts/ensure-vcsim.sh), on a free loopback port with
 * the inventory asked for and a user whose password is new for each server. It serves Go's self-signed localhost
 * certificate, read from the TLS handshake so tests can trust it, pin it, or refuse it. Its inventory lives in
 * memory: a restart keeps port, login and certificate but starts the inventory afresh.
 */
export class PrivateVcsim extends PrivateServer {
  readonly username = 'fleet-reader';
  readonly password = `pw-${randomBytes(12).toString('hex')}`;
  private port: number | undefined;
  private process: LoggedProcess | undefined;
  private sdk: string | undefined;
  private certificate: X509Certificate | undefined;

  constructor(private readonly size: VcsimSize = SMALL_VCENTER) {
    super();
  }

  /** https://127.0.0.1:<port>/sdk */
  get sdkUrl(): string {
    if (this.sdk === undefined) throw new Error('the private vcsim has not been started');
    return this.sdk;
  }

  /** The PEM of the certificate it serves (self-signed, so also the CA to trust). */
  get certificatePem(): string {
    return this.served().toString();
  }

  /** The SHA-256 fingerprint of that certificate, as Node writes it (AA:BB:...). */
  get certificateFingerprint(): string {
    return this.served().fingerprint256;
  }

  /** Done once it printed its SDK URL and completed a TLS handshake. */
  async start(): Promise<void> {
    const binary = vcsimBinary();
    const dir = (this.dir ??= await mkdtemp(join(tmpdir(), 'fleet-vcsim-')));
    this.port ??= await freePort();
    const { size } = this;
    const log = join(dir, 'vcsim.log');
    const child = (this.process = LoggedProcess.start('vcsim', binary, [
      `-listen=127.0.0.1:${this.port}`, `-username=${this.username}`, `-password=${this.password}`,
      `-dc=${size.datacenters}`, `-cluster=${size.clustersPerDatacenter}`, `-cluster-host=${size.hostsPerCluster}`,
      `-standalone-host=${size.standaloneHosts}`, `-pool=${size.poolsPerCluster}`, `-vm=${size.vmsPerPool}`,
      `-ds=${size.datastores}`, `-portgroup=${size.portgroups}`,
    ], log));
    // Its only line of standard output is the URL, printed once it serves (the log holds its standard error too).
    this.sdk = await until(() => {
      child.assertRunning();
      return /^(https:\/\/\S+\/sdk)$/m.exec(readFileSync(log, 'utf8'))?.[1];
    }, 'vcsim to print its SDK URL', 60_000);
    this.certificate = await servedCertificate(this.port);
  }

  /**
   * Kills it at once, synchronously (a crash, not a shutdown: a SIGTERM lets it answer what it has already read),
   * so a test can cut a client off between two calls; stop() or start() afterwards as after halt().
   */
  crash(): void {
    this.process?.kill();
  }

  protected async shutDown(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    await child?.stop();
  }

  private served(): X509Certificate {
    if (this.certificate === undefined) throw new Error('the private vcsim has not been started');
    return this.certificate;
  }
}

/** The certificate 127.0.0.1:`port` presents in a TLS handshake (not verified: the tests decide what to trust). */
function servedCertificate(port: number): Promise<X509Certificate> {
  return new Promise((resolvePeer, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.end();
      resolvePeer(new X509Certificate(raw));
    });
    socket.once('error', reject);
  });
}

/**
 * The vcsim the tests run: `VCSIM_BIN` (as CI sets it), else the path scripts/ensure-vcsim.sh builds it at (the
 * script is asked, since that path depends on the library's package version and the launcher's hash). A machine
 * without it cannot run these tests: a failure that says how to fix it, never a silent skip.
 */
export function vcsimBinary(): string {
  const fromEnv = process.env.VCSIM_BIN;
  const binary = fromEnv !== undefined && fromEnv !== '' ? fromEnv : ensuredBinary();
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(`VCSIM_BIN (${binary}) is not an executable: run scripts/ensure-vcsim.sh (it builds vcsim once per machine and prints its path)`);
  }
  return binary;
}

let ensured: string | undefined;

function ensuredBinary(): string {
  if (ensured === undefined) {
    try {
      const output = execFileSync('bash', [ENSURE_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      ensured = output.trim().split('\n').pop() ?? '';
    } catch (error: unknown) {
      const stderr = (error as { stderr?: unknown }).stderr;
      throw new Error(`scripts/ensure-vcsim.sh failed; set VCSIM_BIN to a vcsim binary, or fix the build:\n${typeof stderr === 'string' ? stderr.slice(-2_000) : ''}`);
    }
  }
  return ensured;
}
