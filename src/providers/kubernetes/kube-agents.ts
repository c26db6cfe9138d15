import { createHash } from 'node:crypto';
import { Agent } from 'node:https';

/** Connections to one server in flight at once, and idle ones kept for the next calls. */
const MAX_SOCKETS = 16;
const MAX_FREE_SOCKETS = 8;
/** Agents kept for the TLS settings seen last (a server process checks clusters added through the API). */
const MAX_AGENTS = 32;

const agents = new Map<string, Agent>();

/**
 * The process's keep-alive agent for servers checked with these TLS settings. Every client of a cluster in the
 * process (a provider instance, so a client, is built per refresh) shares its connections: a worker keeps a few
 * connections to its cluster, not a few more per refresh. An agent holds no credentials (each request carries its
 * token), only the TLS settings it is found by. A call waiting for one of its connections spends its own deadline.
 */
export function sharedAgent(tls: { caCertificate: string | null; insecureSkipTlsVerify: boolean }): Agent {
  const ca = tls.caCertificate === null ? '' : createHash('sha256').update(tls.caCertificate).digest('hex');
  const key = `${tls.insecureSkipTlsVerify ? 'insecure' : 'verified'}:${ca}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({
      keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_FREE_SOCKETS, rejectUnauthorized: !tls.insecureSkipTlsVerify,
      ...(tls.caCertificate === null ? {} : { ca: tls.caCertificate }),
    });
    agents.set(key, agent);
    // The oldest is forgotten, not destroyed: its requests in flight finish, and its idle connections end when the
    // server times them out.
    if (agents.size > MAX_AGENTS) agents.delete(agents.keys().next().value as string);
  }
  return agent;
}
