/** The value after `--name` on the command line, if given. */
export function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const round = (n: number): number => Math.round(n * 100) / 100;
export const fmt = (n: number): string => n.toFixed(2);
export const log = (line: string): void => console.log(line);

/** Runs a benchmark's main; a failure is printed and ends the process with code 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
