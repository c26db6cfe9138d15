import type { RelayReply } from '../support/cassette-relay';

/** The envelope around a retrieval's objects: everything before the first `<objects>` and after the last. */
const RETURNVAL = /^([\s\S]*<returnval>)([\s\S]*)(<\/returnval>[\s\S]*)$/;
/** One object of a RetrieveResult (an ObjectContent holds no element of that name, so the first end closes it). */
const OBJECT = /<objects>[\s\S]*?<\/objects>/g;
const MAX_OBJECTS = /<maxObjects>(\d+)<\/maxObjects>/;

/**
 * vcsim answers every RetrievePropertiesEx whole, whatever its maxObjects. This cuts a live answer into pages as
 * vCenter may send them, of fewer objects than maxObjects (half of it, at least one: the collector names no more
 * objects than maxObjects per retrieval, so only a server answering less than it asked makes a page it must
 * continue): the first page with a token, the rest kept for ContinueRetrievePropertiesEx to ask by that token, a page
 * at a time, the last page without one. The objects are vcsim's, as it wrote
 * them; only the cut and the tokens are the recorder's.
 */
/** What a token stands for: the objects not yet answered, and the envelope their pages are written in. */
interface Remaining {
  template: { head: string; tail: string };
  objects: string[];
  maxObjects: number;
}

export class VimPages {
  private readonly remaining = new Map<string, Remaining>();
  private tokens = 0;

  /** The first page of a live RetrievePropertiesEx answer to `requestBody`; the answer itself when it fits one page. */
  first(requestBody: string, live: RelayReply): RelayReply {
    const asked = Number(MAX_OBJECTS.exec(requestBody)?.[1] ?? Number.POSITIVE_INFINITY);
    const maxObjects = Math.max(1, Math.floor(asked / 2));
    const parts = RETURNVAL.exec(live.response.text);
    if (parts === null || live.response.status !== 200) return live;
    const objects = parts[2].match(OBJECT) ?? [];
    if (objects.length <= maxObjects) return live;
    const template = {
      head: parts[1].replace('RetrievePropertiesExResponse', 'ContinueRetrievePropertiesExResponse'),
      tail: parts[3].replace('RetrievePropertiesExResponse', 'ContinueRetrievePropertiesExResponse'),
    };
    const token = this.keep({ template, objects: objects.slice(maxObjects), maxObjects });
    return {
      response: { ...live.response, text: `${parts[1]}<token>${token}</token>${objects.slice(0, maxObjects).join('')}${parts[3]}` },
      madeByRecorder: `vcsim's answer (${objects.length} objects) cut to its first ${maxObjects}, with a token for the rest: vcsim never pages`,
    };
  }

  /** Whether `token` is one of the recorder's, not used up. */
  holds(token: string): boolean {
    return this.remaining.has(token);
  }

  /** The ContinueRetrievePropertiesEx answer for `token`: the next page, with a token when more remains. */
  next(token: string, headers: Record<string, string>): RelayReply {
    const kept = this.take(token);
    const page = kept.objects.slice(0, kept.maxObjects);
    const rest = kept.objects.slice(kept.maxObjects);
    const nextToken = rest.length === 0 ? undefined : this.keep({ ...kept, objects: rest });
    return {
      response: { status: 200, headers, text: `${kept.template.head}${nextToken === undefined ? '' : `<token>${nextToken}</token>`}${page.join('')}${kept.template.tail}` },
      madeByRecorder: `the next ${page.length} of the objects vcsim answered the first page with${nextToken === undefined ? ', the last' : ''}: vcsim has no ContinueRetrievePropertiesEx`,
    };
  }

  /** Forgets what remains behind `token` (CancelRetrievePropertiesEx). */
  cancel(token: string): void {
    this.take(token);
  }

  private keep(kept: Remaining): string {
    this.tokens += 1;
    const token = `page-token-${this.tokens}`;
    this.remaining.set(token, kept);
    return token;
  }

  private take(token: string): Remaining {
    const kept = this.remaining.get(token);
    if (kept === undefined) throw new Error(`the client asked for the objects of token ${token}, which the recorder never gave or already answered`);
    this.remaining.delete(token);
    return kept;
  }
}

/** The token a ContinueRetrievePropertiesEx or CancelRetrievePropertiesEx request names. */
export function tokenOf(requestBody: string): string | undefined {
  return /<token>([^<]*)<\/token>/.exec(requestBody)?.[1];
}
