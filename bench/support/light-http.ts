import { Agent, request } from 'node:http';

/**
 * A POST over node's own HTTP client and a keep-alive agent: a client costs the benchmark a fraction of what fetch
 * costs per request, and a client's time is part of what a latency is measured as (a burst of requests waits on the
 * benchmark's own event loop as well as on the server).
 */
export function postJson(agent: Agent, url: string, headers: Readonly<Record<string, string>>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const asked = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      answer.on('error', reject);
    });
    asked.on('error', reject);
    asked.end(body);
  });
}

/** An agent that keeps one connection per client open between its requests. */
export function keepAliveAgent(clients: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: clients });
}
