import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiTokenStore } from './api-token-store';

declare module 'fastify' {
  interface FastifyRequest {
    /** The name of the token the request presented, once bearerAuth accepted it: who asks (a task records it). */
    tokenName?: string;
  }
}

/**
 * Whether a path needs a token: the API and the Prometheus metrics do. Health checks, the web UI's files (its pages
 * ask for a token and call the API with it) and the API's documentation do not: none of them shows any data.
 */
export function needsToken(path: string): boolean {
  if (path === '/metrics') return true;
  return path.startsWith('/api/') && !path.startsWith('/api/docs');
}

/**
 * The onRequest hook that refuses a request without a live bearer token: 401 with no detail, the same for a
 * missing, malformed, unknown or revoked token, so the answer teaches a guesser nothing.
 */
export function bearerAuth(tokens: ApiTokenStore) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // The matched route's pattern, not the raw URL: an encoded path (/%61pi/...) reaches the same route.
    if (!needsToken(request.routeOptions.url ?? request.url.split('?', 1)[0])) return;
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const authenticated = token === '' ? null : await tokens.authenticate(token);
    if (authenticated !== null) {
      request.tokenName = authenticated.name;
      return;
    }
    await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
  };
}
