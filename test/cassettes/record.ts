import { recordKubernetes } from './record-kubernetes';
import { recordVmware } from './record-vmware';

/**
 * `npm run cassettes:record [-- <type>...]`: records the cassettes of every provider type that has them (or of the
 * types named) again, each against a real system the test harness starts: kube-apiserver for kubernetes, vcsim for
 * vmware. Overwrites test/cassettes/<type>/*.json.
 */
const RECORDERS: Record<string, () => Promise<string[]>> = { kubernetes: recordKubernetes, vmware: recordVmware };

async function main(types: string[]): Promise<string[]> {
  const unknown = types.filter((type) => !(type in RECORDERS));
  if (unknown.length > 0) throw new Error(`no cassettes for ${unknown.join(', ')}; types with cassettes: ${Object.keys(RECORDERS).join(', ')}`);
  const recorded: string[] = [];
  for (const type of types.length > 0 ? types : Object.keys(RECORDERS)) recorded.push(...await RECORDERS[type]());
  return recorded;
}

main(process.argv.slice(2)).then(
  (recorded) => process.stdout.write(`recorded ${recorded.join(', ')}\n`),
  (error: unknown) => {
    process.stderr.write(`recording failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
