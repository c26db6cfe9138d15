import type { Agent } from 'node:https';
import type { ConfigurationOptions, ObservableMiddleware, RequestContext, ResponseContext } from '@kubernetes/client-node';

/**
 * Options of one @kubernetes/client-node call that hand it an AbortSignal (the caller's, or the request's deadline)
 * and, if given, an agent (the middleware runs after client-node set its own agent, with the same TLS settings).
 * client-node is loaded here on first use, not when the SDK is: a process that never talks to a cluster (most
 * workers) does not pay its 50 MB of memory.
 */
export async function kubeCallOptions(signal: AbortSignal, agent?: Agent): Promise<ConfigurationOptions> {
  const { Observable } = await import('@kubernetes/client-node');
  const middleware: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      if (agent) context.setAgent(agent);
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}
