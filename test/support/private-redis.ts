import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port';
import { inNetwork, LOOPBACK, type NetworkPlacement } from './network-placement';
import { PrivateServer } from './private-server';
import { until } from './wait';

/**
 * A redis-server of a test's own, on a free port with its data in a temporary directory, so the test may restart it
 * without touching the Redis other tests share. By default it persists every write before answering (append-only
 * file, fsync always), so a request Redis has acknowledged survives a restart; with `persistence: false` it keeps
 * nothing (no append-only file, no snapshots), as many Redis servers run, and comes back empty from every restart.
 */
export class PrivateRedis extends PrivateServer {
  private port: number | undefined;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  constructor(private readonly options: { persistence?: boolean; placement?: NetworkPlacement } = {}) {
    super();
  }

  get url(): string {
    if (this.port === undefined) throw new Error('the private Redis has not been started');
    return `redis://${this.address}:${this.port}`;
  }

  private get address(): string {
    return (this.options.placement ?? LOOPBACK).address;
  }

  /** Starts the server; the first start picks the port and the data directory that later starts reuse. */
  async start(): Promise<void> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'fleet-redis-'));
    this.port ??= await freePort();
    const persistence = (this.options.persistence ?? true) ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    // In a network of the test's own, the hosts there connect by their addresses: let them, as 127.0.0.1 may.
    const open = this.options.placement?.netns === undefined ? [] : ['--protected-mode', 'no'];
    const [program, args] = inNetwork(this.options.placement ?? LOOPBACK, [
      'redis-server', '--port', String(this.port), '--bind', this.address, ...open, '--dir', this.dir, ...persistence, '--save', '', '--loglevel', 'warning',
    ]);
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { this.output += chunk.toString(); });
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    const spawnFailed = new Promise<never>((_, reject) => child.once('error', (error) => reject(new Error(`could not run redis-server: ${error.message}`))));
    await Promise.race([spawnFailed, until(() => this.answers(child), `redis-server on port ${this.port} to answer`, 15_000)]);
  }

  /** A normal shutdown (SIGTERM); killed if it takes more than 10 s. */
  protected async shutDown(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.kill('SIGTERM');
    await this.exited;
    clearTimeout(killer);
  }

  /** true once the server answers PING (not while it loads its data); fails if the process has exited. */
  private async answers(child: ChildProcess): Promise<true | undefined> {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}: ${this.output}`);
    const client = new Redis(this.port as number, this.address, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined); // a refused connection only means "not yet"
    try {
      await client.connect();
      return (await client.ping()) === 'PONG' ? true : undefined;
    } catch {
      return undefined;
    } finally {
      client.disconnect();
    }
  }
}
