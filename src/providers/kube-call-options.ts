import type { Agent } from 'node:https';
import { Observable, type ConfigurationOptions, type ObservableMiddleware, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

/**
 * Options of one @kubernetes/client-node call that hand it an AbortSignal (the caller's, or the request's deadline)
 * and, if given, an agent (the middleware runs after client-node set its own agent, with the same TLS settings).
 */
export function kubeCallOptions(signal: AbortSignal, agent?: Agent): ConfigurationOptions {
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
