import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { LoggedProcess } from './logged-process';
import { PrivateServer } from './private-server';
import { until } from './wait';

const execFileAsync = promisify(execFile);
const INSTALL_HINT = 'scripts/ensure-services.sh installs Debian\'s prometheus package';

/**
 * A Prometheus server of the test's own (Debian's prometheus package), on a free loopback port with its storage in a
 * temporary directory. It scrapes nothing: its data is what the test backfilled before starting it, from
 * OpenMetrics text through `promtool tsdb create-blocks-from openmetrics`, so a query's answer is known exactly.
 * Retention is long, so backfilled samples of any age stay loaded.
 */
export class PrivatePrometheus extends PrivateServer {
  private port: number | undefined;
  private process: LoggedProcess | undefined;

  /** `flags`: more command-line flags of the server's (e.g. a query limit a test needs to meet). */
  constructor(private readonly options: { flags?: readonly string[] } = {}) {
    super();
  }

  get url(): string {
    if (this.port === undefined) throw new Error('the private Prometheus has not been started');
    return `http://127.0.0.1:${this.port}`;
  }

  /** Writes `openMetrics` (ending in `# EOF`) into blocks of the server's storage; call it before start(). */
  async backfill(openMetrics: string): Promise<void> {
    const dir = await this.dataDir();
    const file = join(dir, 'backfill.om.txt');
    await writeFile(file, openMetrics);
    try {
      await execFileAsync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, join(dir, 'tsdb')], { maxBuffer: 16 * 1024 * 1024 });
    } catch (error: unknown) {
      const { code, stderr } = error as { code?: unknown; stderr?: string };
      if (code === 'ENOENT') throw new Error(`could not run promtool (${INSTALL_HINT})`);
      throw new Error(`promtool could not backfill: ${stderr ?? String(error)}`);
    }
  }

  /** Starts the server on the first start's port and storage; ready once it says so (its blocks are loaded). */
  async start(): Promise<void> {
    const dir = await this.dataDir();
    this.port ??= await freePort();
    const config = join(dir, 'prometheus.yml');
    await writeFile(config, 'global:\n  evaluation_interval: 1h\nscrape_configs: []\n');
    const child = (this.process = LoggedProcess.start('prometheus', 'prometheus', [
      `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${this.port}`, '--log.level=warn', ...(this.options.flags ?? []),
    ], join(dir, 'prometheus.log'), INSTALL_HINT));
    await until(() => this.ready(child), `Prometheus at ${this.url} to be ready`, 30_000);
  }

  protected async shutDown(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    await child?.stop();
  }

  private async dataDir(): Promise<string> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'fleet-prometheus-'));
    return this.dir;
  }

  private async ready(child: LoggedProcess): Promise<true | undefined> {
    child.assertRunning();
    try {
      const response = await fetch(`${this.url}/-/ready`);
      await response.body?.cancel();
      return response.ok ? true : undefined;
    } catch {
      return undefined; // not listening yet
    }
  }
}
