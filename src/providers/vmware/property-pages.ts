import type { ObjectContent, RetrieveResult } from './property-collector-answers';

/** The calls a paged retrieval makes: the first page, the page a token names, and giving a token up. */
export interface PageCalls {
  first(): Promise<RetrieveResult>;
  next(token: string): Promise<RetrieveResult>;
  /** Frees the server's results behind a token the reader stopped before reaching the end of. */
  cancel(token: string): Promise<void>;
}

/**
 * The pages of one retrieval, in order: RetrievePropertiesEx, then ContinueRetrievePropertiesEx with each page's
 * token until a page comes without one. A reader that stops early (breaks out of its loop, or fails) has the
 * remaining results cancelled, so that vCenter does not keep them for the session's lifetime; a failed cancel is
 * not the reader's problem and is not reported over its own outcome.
 */
export async function* retrievePages(calls: PageCalls): AsyncGenerator<readonly ObjectContent[], void, undefined> {
  let page = await calls.first();
  let token = page.token;
  try {
    yield page.objects;
    while (token !== undefined) {
      page = await calls.next(token);
      token = page.token;
      yield page.objects;
    }
  } finally {
    if (token !== undefined) await calls.cancel(token).catch(() => undefined);
  }
}
