import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chown, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './free-port';
import { inNetwork, LOOPBACK, type NetworkPlacement } from './network-placement';
import { PrivateServer } from './private-server';

const run = promisify(execFile);

/** Where Debian and Ubuntu install each PostgreSQL major version's server programs. */
const DEBIAN_POSTGRES_DIR = '/usr/lib/postgresql';
/** PostgreSQL refuses to run as root; as root, the cluster belongs to this account. */
const POSTGRES_ACCOUNT = 'postgres';

/**
 * A PostgreSQL cluster of a test's own (initdb in a temporary directory, a free port on 127.0.0.1 or the `placement`'s
 * address in its network namespace, trust auth), so the test may restart it without touching the server other tests
 * share. `url` names its `database`.
 */
export class PrivatePostgres extends PrivateServer {
  private port: number | undefined;
  private binDir: string | undefined;
  private running = false;

  constructor(private readonly database = 'fleet', private readonly placement: NetworkPlacement = LOOPBACK) {
    super();
  }

  get url(): string {
    return this.urlOf(this.database);
  }

  /** The first start creates the cluster and the database; later starts run the same cluster. */
  async start(): Promise<void> {
    const first = this.dir === undefined;
    if (first) await this.createCluster();
    await this.pgCtl('start', '--wait', '--log', join(this.dir as string, 'server.log'));
    this.running = true;
    if (first) await this.createDatabase();
  }

  protected async shutDown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.pgCtl('stop', '--wait', '--mode', 'fast');
  }

  private async createCluster(): Promise<void> {
    this.binDir = await findPostgresBinDir();
    this.port = await freePort();
    const dir = (this.dir = await mkdtemp(join(tmpdir(), 'fleet-postgres-')));
    if (runsAsRoot()) {
      const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', POSTGRES_ACCOUNT]), run('id', ['-g', POSTGRES_ACCOUNT])]);
      await chown(dir, Number(uid), Number(gid));
    }
    await this.asOwner(join(this.binDir, 'initdb'), ['--pgdata', this.dataDir, '--username', 'postgres', '--auth', 'trust', '--no-sync']);
    // TCP on 127.0.0.1 only; the socket goes to the temporary directory, which the cluster's owner can write to.
    await appendFile(join(this.dataDir, 'postgresql.conf'), [
      `port = ${this.port}`, `listen_addresses = '${this.placement.address}'`, `unix_socket_directories = '${dir}'`,
      // A throwaway cluster needs no safety against power loss; a fast shutdown still writes everything out.
      'fsync = off', '',
    ].join('\n'));
    // In a network of the test's own, the hosts there connect by their addresses: trusted, as 127.0.0.1 is.
    if (this.placement.netns !== undefined) await appendFile(join(this.dataDir, 'pg_hba.conf'), 'host all all 0.0.0.0/0 trust\n');
  }

  private async createDatabase(): Promise<void> {
    const client = new Client({ connectionString: this.urlOf('postgres') });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${this.database}`);
    } finally {
      await client.end();
    }
  }

  private urlOf(database: string): string {
    if (this.port === undefined) throw new Error('the private PostgreSQL has not been started');
    return `postgres://postgres@${this.placement.address}:${this.port}/${database}`;
  }

  private get dataDir(): string {
    return join(this.dir as string, 'data');
  }

  private async pgCtl(action: 'start' | 'stop', ...options: string[]): Promise<void> {
    await this.asOwner(join(this.binDir as string, 'pg_ctl'), [action, '--pgdata', this.dataDir, ...options]);
  }

  /** Runs a PostgreSQL program as the cluster's owner; its output is in the error when it fails. */
  private async asOwner(program: string, args: string[]): Promise<void> {
    const [file, fileArgs] = inNetwork(this.placement, runsAsRoot() ? ['runuser', '-u', POSTGRES_ACCOUNT, '--', program, ...args] : [program, ...args]);
    try {
      await run(file, fileArgs, { cwd: this.dir });
    } catch (error: unknown) {
      const output = error instanceof Error && 'stderr' in error ? String(error.stderr) : '';
      throw new Error(`${program} ${args[0]} failed: ${output}`, { cause: error });
    }
  }
}

function runsAsRoot(): boolean {
  return userInfo().uid === 0;
}

/** The server programs of the newest PostgreSQL installed the Debian way, else those on the PATH. */
async function findPostgresBinDir(): Promise<string> {
  const versions = existsSync(DEBIAN_POSTGRES_DIR) ? await readdir(DEBIAN_POSTGRES_DIR) : [];
  const newest = versions
    .filter((version) => /^\d+(\.\d+)?$/.test(version) && existsSync(join(DEBIAN_POSTGRES_DIR, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))[0];
  if (newest !== undefined) return join(DEBIAN_POSTGRES_DIR, newest, 'bin');
  const onPath = (process.env.PATH ?? '').split(delimiter).find((dir) => dir !== '' && existsSync(join(dir, 'initdb')));
  if (onPath !== undefined) return onPath;
  throw new Error(`no PostgreSQL server programs (initdb, pg_ctl) under ${DEBIAN_POSTGRES_DIR} or on the PATH`);
}
