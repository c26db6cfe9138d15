/** Where a server a test starts listens: an address, in a network namespace of the test's own or in this one. */
export interface NetworkPlacement {
  address: string;
  /** The network namespace (`ip netns`) the server runs in; none: this process's. */
  netns?: string;
}

export const LOOPBACK: NetworkPlacement = { address: '127.0.0.1' };

/** The program and arguments that run `command` (program first) in the placement's network namespace. */
export function inNetwork(placement: NetworkPlacement, command: string[]): [string, string[]] {
  const [program, ...args] = command;
  return placement.netns === undefined ? [program, args] : ['ip', ['netns', 'exec', placement.netns, program, ...args]];
}
