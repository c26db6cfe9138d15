import { Command } from 'commander';
import { startDemoCloud } from '../../demo-cloud';

/** `fleet demo-cloud`: serves the Awesome Cloud simulator until interrupted. */
export function demoCloudCommand(): Command {
  return new Command('demo-cloud')
    .description('serve the simulated Awesome Cloud (deterministic, for demos, tests and benchmarks)')
    .option('--port <port>', 'port to listen on (0 picks one)', toInt, 8600)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--vms <count>', 'VMs to generate', toInt, 100)
    .option('--seed <seed>', 'same seed and size, same cloud', toInt, 42)
    .option('--region <region>', 'region that holds the inventory', 'us-east-1')
    .option('--access-key <key>', 'access key clients must send', 'demo-access')
    .option('--secret-key <key>', 'secret key clients must send', 'demo-secret')
    .action(async (options: { port: number; host: string; vms: number; seed: number; region: string; accessKey: string; secretKey: string }) => {
      const cloud = await startDemoCloud(options);
      // One line on stdout, so a parent process can read the address.
      console.log(JSON.stringify({ url: cloud.url, counts: cloud.state.counts() }));
      await new Promise<void>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
      });
      await cloud.close();
    });
}

export function toInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number)) throw new Error(`"${value}" is not an integer`);
  return number;
}
