import { expect } from 'chai';
import { ProviderApiError } from '../../src/errors';
import { HttpRetryPolicy, type HttpRetryOptions } from '../../src/providers/http-retry';
import { parseRetryAfter } from '../../src/providers/retry-after';

const NOW = Date.UTC(2026, 2, 14, 12, 0, 0);

describe('Retry-After parsing', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('0', NOW)).to.equal(0);
    expect(parseRetryAfter('1', NOW)).to.equal(1000);
    expect(parseRetryAfter(' 120 ', NOW)).to.equal(120_000);
  });

  it('reads an HTTP-date in each of its three forms as the time until then, and a past one as no wait', () => {
    expect(parseRetryAfter('Sat, 14 Mar 2026 12:00:05 GMT', NOW)).to.equal(5000);
    expect(parseRetryAfter('Saturday, 14-Mar-26 12:01:00 GMT', NOW)).to.equal(60_000);
    expect(parseRetryAfter('Sat Mar 14 12:00:30 2026', NOW)).to.equal(30_000);
    expect(parseRetryAfter('Sun Mar  1 12:00:00 2026', NOW)).to.equal(0);
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).to.equal(0);
  });

  it('takes a two-digit year more than 50 years ahead for the past century', () => {
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', NOW)).to.equal(0);
    expect(parseRetryAfter('Friday, 14-Mar-70 12:00:00 GMT', NOW)).to.equal(Date.UTC(2070, 2, 14, 12) - NOW);
  });

  it('returns null for an absent header and for anything that is neither form', () => {
    for (const value of [null, '', '1.5', '-1', 'soon', '1 s', 'Mon, 31 Feb 2026 12:00:00 GMT', 'Sat, 14 Mar 2026 25:00:00 GMT', '2026-03-14T12:00:05Z', 'Sat, 14 Mar 2026 12:00:05 CET']) {
      expect(parseRetryAfter(value, NOW), String(value)).to.equal(null);
    }
  });
});

describe('HTTP retry policy', () => {
  /** A scripted provider: each request gets the next answer (a status with headers, or a thrown error). */
  function script(...answers: (readonly [number, Record<string, string>?] | Error)[]): { request: () => Promise<Response>; sent: () => number } {
    let sent = 0;
    return {
      request: async () => {
        const answer = answers[Math.min(sent, answers.length - 1)];
        sent += 1;
        if (answer instanceof Error) throw answer;
        const [status, headers] = answer;
        return new Response(status === 204 ? null : JSON.stringify({ status }), { status, headers });
      },
      sent: () => sent,
    };
  }

  /** A policy on a fixed clock that records the waits instead of waiting. */
  function policy(options: HttpRetryOptions = {}): { policy: HttpRetryPolicy; waits: number[] } {
    const waits: number[] = [];
    const sleep = async (ms: number): Promise<void> => {
      waits.push(ms);
    };
    return { policy: new HttpRetryPolicy({ now: () => NOW, sleep, random: () => 0.5, ...options }), waits };
  }

  async function failure(promise: Promise<unknown>): Promise<ProviderApiError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(ProviderApiError);
    return error as ProviderApiError;
  }

  it('waits what each 429 asks for in delta-seconds, then returns the answer', async () => {
    const { policy: retry, waits } = policy();
    const provider = script([429, { 'retry-after': '1' }], [429, { 'retry-after': '2' }], [200]);
    const response = await retry.send('GET /v1/things', provider.request);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 200 });
    expect(waits).to.deep.equal([1000, 2000]);
    expect(provider.sent()).to.equal(3);
  });

  it('waits until the HTTP-date a 503 names', async () => {
    const { policy: retry, waits } = policy();
    const provider = script([503, { 'retry-after': 'Sat, 14 Mar 2026 12:00:07 GMT' }], [200]);
    expect((await retry.send('GET /v1/things', provider.request)).status).to.equal(200);
    expect(waits).to.deep.equal([7000]);
  });

  it('backs off exponentially, with jitter within [half, whole] of each capped step, when no Retry-After is given', async () => {
    const steps = [250, 500, 1000, 2000, 3000, 3000];
    for (const [random, share] of [[0, 0.5], [0.5, 0.75], [0.999_999, 1]] as const) {
      const { policy: retry, waits } = policy({ maxAttempts: 7, maxBackoffMs: 3000, random: () => random });
      const provider = script([503], [429], [503, { 'retry-after': 'later' }], [429], [503], [429], [204]);
      expect((await retry.send('GET /v1/things', provider.request)).status).to.equal(204);
      expect(waits, `random ${random}`).to.deep.equal(steps.map((step) => Math.round(step * share)));
    }
  });

  it('gives up after the maximum attempts, saying the provider kept answering 429 and what it asked to wait', async () => {
    const { policy: retry, waits } = policy({ maxAttempts: 3 });
    const provider = script([429, { 'retry-after': '1' }]);
    const error = await failure(retry.send('GET /v1/things', provider.request));
    expect(error.status).to.equal(429);
    expect(error.message).to.equal('GET /v1/things: the provider kept answering HTTP 429 (Too Many Requests): 3 attempts over 2 s; it asked to wait 1 s');
    expect(provider.sent()).to.equal(3);
    expect(waits).to.deep.equal([1000, 1000]);
  });

  it('says so when a provider that kept answering 503 never said how long to wait', async () => {
    const { policy: retry } = policy({ maxAttempts: 2 });
    const error = await failure(retry.send('GET /v1/things', script([503]).request));
    expect(error.message).to.equal('GET /v1/things: the provider kept answering HTTP 503 (Service Unavailable): 2 attempts over 0.2 s; it did not say how long to wait');
  });

  it('reports a Retry-After beyond the longest wait at once, without waiting or asking again', async () => {
    for (const retryAfter of ['31', 'Sat, 14 Mar 2026 13:00:00 GMT']) {
      const { policy: retry, waits } = policy({ maxWaitMs: 30_000 });
      const provider = script([429, { 'retry-after': retryAfter }], [200]);
      const error = await failure(retry.send('GET /v1/things', provider.request));
      expect(error.message).to.match(/^GET \/v1\/things: the provider answered HTTP 429 \(Too Many Requests\) and asked to wait (31|3600) s, more than the 30 s a request may wait: not retried$/);
      expect(provider.sent()).to.equal(1);
      expect(waits).to.deep.equal([]);
    }
  });

  it('waits exactly the longest wait when Retry-After asks for it', async () => {
    const { policy: retry, waits } = policy({ maxWaitMs: 30_000 });
    expect((await retry.send('GET /v1/things', script([429, { 'retry-after': '30' }], [200]).request)).status).to.equal(200);
    expect(waits).to.deep.equal([30_000]);
  });

  it('retries other server errors with the back-off, ignoring a Retry-After there, and gives up naming the status when they persist', async () => {
    const { policy: retry, waits } = policy({ maxAttempts: 3 });
    const provider = script([500, { 'retry-after': '100' }], [502], [200]);
    expect((await retry.send('GET /v1/things', provider.request)).status).to.equal(200);
    expect(waits).to.deep.equal([188, 375]);

    const error = await failure(policy({ maxAttempts: 2 }).policy.send('GET /v1/things', script([504]).request));
    expect(error.message).to.equal('GET /v1/things: the provider kept answering HTTP 504: 2 attempts over 0.2 s');
  });

  it('returns at once what asking again cannot change', async () => {
    for (const status of [200, 400, 401, 403, 404, 410, 501]) {
      const { policy: retry, waits } = policy();
      const provider = script([status, { 'retry-after': '1' }]);
      expect((await retry.send('GET /v1/things', provider.request)).status).to.equal(status);
      expect(provider.sent(), String(status)).to.equal(1);
      expect(waits).to.deep.equal([]);
    }
  });

  it('retries network failures with the back-off and throws the last one as it was', async () => {
    const { policy: retry, waits } = policy({ maxAttempts: 3 });
    const last = new TypeError('fetch failed (last)');
    const provider = script(new TypeError('fetch failed'), new TypeError('fetch failed'), last);
    const error = await retry.send('GET /v1/things', provider.request).catch((e: unknown) => e);
    expect(error).to.equal(last);
    expect(waits).to.have.length(2);
    expect(provider.sent()).to.equal(3);
  });

  it('stops waiting the moment the signal aborts, and sends nothing more', async () => {
    // The real sleep: the Retry-After is longer than the test's own time limit, so only the abort can end the wait.
    const retry = new HttpRetryPolicy();
    const provider = script([429, { 'retry-after': '29' }], [200]);
    const abort = new AbortController();
    const sending = retry.send('GET /v1/things', provider.request, abort.signal);
    await new Promise((resolve) => setImmediate(resolve));
    expect(provider.sent()).to.equal(1);
    abort.abort();
    const error = await failure(sending);
    expect(error.message).to.equal('GET /v1/things: the provider answered HTTP 429 (Too Many Requests) and asked to wait 29 s; the call was aborted while waiting to retry');
    expect(provider.sent()).to.equal(1);
  });

  it('does not wait at all once the signal has aborted', async () => {
    const { policy: retry, waits } = policy();
    const abort = new AbortController();
    const provider = script([503, { 'retry-after': '1' }]);
    abort.abort();
    const error = await failure(retry.send('GET /v1/things', provider.request, abort.signal));
    expect(error.message).to.contain('aborted');
    expect(waits).to.deep.equal([]);

    const networkDown = new TypeError('fetch failed');
    expect(await retry.send('GET /v1/things', script(networkDown).request, abort.signal).catch((e: unknown) => e)).to.equal(networkDown);
    expect(waits).to.deep.equal([]);
  });

  it('refuses bounds that make no sense', () => {
    expect(() => new HttpRetryPolicy({ maxAttempts: 0 })).to.throw('maxAttempts must be a positive integer');
    expect(() => new HttpRetryPolicy({ maxWaitMs: -1 })).to.throw('maxWaitMs must be 0 or more');
    expect(() => new HttpRetryPolicy({ backoffMs: Number.NaN })).to.throw('backoffMs must be 0 or more');
  });
});
