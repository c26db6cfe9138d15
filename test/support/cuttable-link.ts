import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP link to a service that the test can cut and mend, as a network does: while cut, nothing passes either way
 * and no connection is closed (each side's writes are taken by its own kernel and go nowhere), new connections are
 * accepted but reach nothing; once mended, what was held passes on. A closed connection is what a dead process
 * looks like; a cut link is the harder case, and the one this simulates.
 */
export class CuttableLink {
  private readonly sockets = new Set<Socket>();
  private readonly waiting: (() => void)[] = [];
  private cut = false;

  private constructor(private readonly server: Server, readonly port: number) {}

  /**
   * A link in front of the server a URL names (PostgreSQL's, say: its default port when the URL gives none), and
   * that URL as it reaches the server through the link.
   */
  static async inFrontOf(url: string, defaultPort: number): Promise<{ link: CuttableLink; url: string }> {
    const target = new URL(url);
    const link = await CuttableLink.open({ host: target.hostname, port: Number(target.port || defaultPort) });
    target.hostname = '127.0.0.1';
    target.port = String(link.port);
    return { link, url: target.toString() };
  }

  static async open(target: { host: string; port: number }): Promise<CuttableLink> {
    let link: CuttableLink | undefined;
    const server = createServer((client) => link?.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the link has no port');
    link = new CuttableLink(server, address.port);
    return link;
  }

  /** Stops everything passing, leaving every connection open. */
  cutOff(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.pause();
  }

  /** Lets everything pass again, what was held first. */
  mend(): void {
    this.cut = false;
    // Connections accepted while cut get their upstream first: resumed before they have it, their data would be lost.
    for (const connect of this.waiting.splice(0)) connect();
    for (const socket of this.sockets) socket.resume();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    this.track(client);
    client.pause();
    const connect = (): void => {
      const upstream = createConnection(target);
      this.track(upstream);
      // By hand rather than pipe(): a pipe resumes its source when the other side drains, which would let data
      // through a cut. Test traffic is small, so no backpressure is needed.
      for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
        from.on('data', (chunk) => to.write(chunk));
        from.on('end', () => to.end());
      }
      if (this.cut) upstream.pause();
      else client.resume();
    };
    if (this.cut) this.waiting.push(connect);
    else connect();
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }
}
