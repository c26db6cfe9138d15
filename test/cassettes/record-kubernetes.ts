import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { watchesFor } from '../../src/providers/kubernetes/kube-watched';
import { writeCassette, type Cassette } from '../support/cassette';
import { CassetteRecorder } from '../support/cassette-recorder';
import { runningStatus } from '../support/kube-fixture';
import { stopTestKube, testKube, type RunningKube } from '../support/test-kube';
import { KUBE_CASSETTES, type RefreshScenario, type WatchScenario } from './kube-scenarios';

/**
 * Records the kubernetes cassettes again against a real kube-apiserver started by the test harness
 * (`npm run cassettes:record`, see record.ts). Each cassette is made of the requests the provider sends, answered by the live
 * server; where a cassette needs a fault the live server does not produce on demand (429, 500, a stream cut
 * mid-event), the recorder records the real exchange and adds the fault itself, saying so in `madeByRecorder`.
 * Tokens are scrubbed before anything is written.
 */

const PAGE_SIZE = 2;
const PODS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
const SERVICES = ['svc-a', 'svc-b', 'svc-c'];
const RECORDED_AGAINST = 'kube-apiserver v1.20.2 (test harness)';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface KubeList {
  metadata?: { continue?: string; resourceVersion?: string };
}

/** What the recorder does before one page of a listing is asked: go on, or stop the listing (it failed). */
type BeforePage = (path: string, index: number, query: Record<string, string>) => Promise<'go' | 'stop'>;

/** Records every kubernetes cassette; returns their names. */
export async function recordKubernetes(): Promise<string[]> {
  const kube = await testKube();
  const core = kube.kubeConfig.makeApiClient(CoreV1Api);
  const secrets = [kube.adminToken, kube.noRightsToken, kube.readerToken];
  try {
    const namespace = 'cassette-paging';
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    for (const [i, name] of PODS.entries()) await createRunningPod(core, namespace, name, `10.244.2.${i + 1}`);
    for (const name of SERVICES) {
      await core.createNamespacedService({ namespace, body: { metadata: { name }, spec: { selector: { app: 'paged' }, ports: [{ port: 80 }] } } });
    }
    const scenario: RefreshScenario = { namespace, pageSize: PAGE_SIZE, pods: PODS, services: SERVICES, containersPerPod: 2 };

    writeCassette(KUBE_CASSETTES.continuePages, await recordRefresh(kube, scenario,
      'A full refresh of a namespace whose pods (5) and services (3) are listed 2 at a time, following the continue token.'), secrets);

    writeCassette(KUBE_CASSETTES.throttled, await recordRefresh(kube, scenario,
      'A full refresh during which the second page of pods is first answered 429 with Retry-After: 1, then as usual.',
      throttleSecondPodsPage(1, 'go')), secrets);

    writeCassette(KUBE_CASSETTES.throttledTooLong, await recordRefresh(kube, scenario,
      'A full refresh during which the second page of pods is answered 429 with Retry-After: 120, longer than a request may wait: the pods listing fails.',
      throttleSecondPodsPage(120, 'stop')), secrets);

    writeCassette(KUBE_CASSETTES.expiredContinue, await recordExpiredContinue(kube, core, scenario), secrets);

    // The cluster changes (a pod and a service deleted), and the second page of pods fails with 500 every time.
    await core.deleteNamespacedPod({ namespace, name: 'charlie', gracePeriodSeconds: 0 });
    await core.deleteNamespacedService({ namespace, name: 'svc-c' });
    const changed: RefreshScenario = { ...scenario, pods: PODS.filter((name) => name !== 'charlie'), services: SERVICES.filter((name) => name !== 'svc-c') };
    writeCassette(KUBE_CASSETTES.serverError, await recordRefresh(kube, changed,
      'A full refresh after charlie and svc-c were deleted, during which the second page of pods keeps failing with 500 (as many times as the client asks): the pods listing fails.',
      async (rec, path, index, query) => {
        if (!(path.endsWith('/pods') && index === 1)) return 'go';
        for (let attempt = 0; attempt < 5; attempt += 1) {
          rec.add({ request: { method: 'GET', path, query }, response: { status: 500, headers: { 'content-type': 'application/json' }, body: status(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out') } },
            'the live server fails a listing only when its storage does; the page before it is real');
        }
        return 'stop';
      }), secrets);

    writeCassette(KUBE_CASSETTES.watchCut, await recordWatchCut(kube, core), secrets);
  } finally {
    await stopTestKube();
  }
  return Object.values(KUBE_CASSETTES);
}

/** A 429 with Retry-After: `seconds` before the second page of pods, which is then asked as usual ('go') or not at all. */
function throttleSecondPodsPage(seconds: number, then: 'go' | 'stop') {
  return async (rec: CassetteRecorder, path: string, index: number, query: Record<string, string>): Promise<'go' | 'stop'> => {
    if (!(path.endsWith('/pods') && index === 1)) return 'go';
    rec.add({
      request: { method: 'GET', path, query },
      response: { status: 429, headers: { 'content-type': 'application/json', 'retry-after': String(seconds) }, body: status(429, 'TooManyRequests', 'Too many requests, please try again later.') },
    }, 'the live server throttles only under its own load (max-requests-inflight), never one request on demand');
    return then;
  };
}

/** The requests of a full refresh of `scenario.namespace`, in the provider's order, with `beforePage` for faults. */
async function recordRefresh(
  kube: RunningKube, scenario: RefreshScenario, description: string,
  beforePage?: (rec: CassetteRecorder, ...page: Parameters<BeforePage>) => Promise<'go' | 'stop'>,
): Promise<Cassette<RefreshScenario>> {
  const rec = new CassetteRecorder({ url: kube.url, caPem: kube.caPem, token: kube.adminToken });
  await recordListings(rec, scenario.namespace, beforePage ? (...page) => beforePage(rec, ...page) : undefined);
  return { description, recordedAgainst: RECORDED_AGAINST, authentication: 'bearer-token', scenario, interactions: rec.interactions };
}

/** What the provider asks in a full refresh of one configured namespace: the namespace, then every listing. */
async function recordListings(rec: CassetteRecorder, namespace: string, beforePage?: BeforePage): Promise<void> {
  await expectOk(rec.get(`/api/v1/namespaces/${namespace}`, {}));
  for (const path of [
    '/api/v1/nodes', '/api/v1/persistentvolumes', `/api/v1/namespaces/${namespace}/persistentvolumeclaims`,
    `/apis/apps/v1/namespaces/${namespace}/deployments`, `/apis/apps/v1/namespaces/${namespace}/replicasets`,
    `/api/v1/namespaces/${namespace}/pods`, `/api/v1/namespaces/${namespace}/services`,
  ]) {
    await recordPages(rec, path, beforePage);
  }
}

async function recordPages(rec: CassetteRecorder, path: string, beforePage?: BeforePage): Promise<void> {
  let token: string | undefined;
  for (let index = 0; ; index += 1) {
    const query: Record<string, string> = { limit: String(PAGE_SIZE), ...(token === undefined ? {} : { continue: token }) };
    if ((await beforePage?.(path, index, query)) === 'stop') return;
    const list = (await expectOk(rec.get(path, query))) as KubeList;
    token = list.metadata?.continue || undefined;
    if (token === undefined) return;
  }
}

/**
 * A refresh whose pods listing gets a real 410 Gone on its continue token: between its first and second page the
 * store moves on and etcd compacts its history (as the server does every few minutes), so the snapshot the token
 * names is gone. The listing then starts over, all real.
 */
async function recordExpiredContinue(kube: RunningKube, core: CoreV1Api, scenario: RefreshScenario): Promise<Cassette<RefreshScenario>> {
  const rec = new CassetteRecorder({ url: kube.url, caPem: kube.caPem, token: kube.adminToken });
  let expired = false;
  await recordListings(rec, scenario.namespace, async (path, index, query) => {
    if (expired || !(path.endsWith('/pods') && index === 1)) return 'go';
    expired = true;
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cassette-moves-the-store-on' }, data: { why: 'compaction' } } });
    await kube.compactHistory();
    const { status: code } = await rec.get(path, query);
    if (code !== 410) throw new Error(`the continue token did not expire (HTTP ${code}): the cassette needs a real 410`);
    await recordPages(rec, path);
    return 'stop';
  });
  return {
    description: 'A full refresh whose pods listing gets 410 Gone on its continue token (the history it names was compacted) and starts over from the first page.',
    recordedAgainst: RECORDED_AGAINST, authentication: 'bearer-token', scenario, interactions: rec.interactions,
  };
}

/**
 * The provider's event stream from now, in a namespace of its own: one listing per watch for its position, then the
 * watches. Three pods are added; the pods watch is cut by the recorder in the middle of the third event, and the
 * watch the stream opens again from the second event's version is recorded live.
 */
async function recordWatchCut(kube: RunningKube, core: CoreV1Api): Promise<Cassette<WatchScenario>> {
  const rec = new CassetteRecorder({ url: kube.url, caPem: kube.caPem, token: kube.adminToken });
  const namespace = 'cassette-watch';
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await expectOk(rec.get('/version', {}));
  const specs = watchesFor([namespace]);
  const position = new Map<string, string>();
  for (const spec of specs) {
    const list = (await expectOk(rec.get(spec.path, { limit: '1', ...selector(spec.fieldSelector) }))) as KubeList;
    position.set(spec.key, list.metadata?.resourceVersion ?? '');
  }
  const pods = ['pod-1', 'pod-2', 'pod-3'];
  for (const [i, name] of pods.entries()) await createRunningPod(core, namespace, name, `10.244.3.${i + 1}`, false);
  const watchQuery = (resourceVersion: string, fieldSelector?: string): Record<string, string> =>
    ({ watch: 'true', resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: '300', ...selector(fieldSelector) });
  const added = (lines: string[]): string[] => lines.filter((line) => (JSON.parse(line) as { type: string }).type === 'ADDED');
  let lastPodVersion = '';
  for (const spec of specs) {
    const from = position.get(spec.key) ?? '';
    if (spec.resource !== 'pods') {
      await rec.stream(spec.path, watchQuery(from, spec.fieldSelector), () => true, 500);
      continue;
    }
    const { interaction, lines } = await rec.stream(spec.path, watchQuery(from), (read) => added(read).length >= pods.length, 0);
    // Everything before the last pod's ADDED as the server sent it, then half of that event, then the connection ends.
    const cutLine = lines.indexOf(added(lines)[pods.length - 1]);
    const whole = lines.slice(0, cutLine);
    const cut = lines[cutLine];
    interaction.response = { ...interaction.response, chunks: [...whole.map((line) => `${line}\n`), cut.slice(0, Math.floor(cut.length / 2))], end: 'cut' } as typeof interaction.response;
    interaction.madeByRecorder = 'the live answer, cut by the recorder in the middle of the last pod\'s ADDED event (a live server does not break a stream on demand)';
    const resumed = await rec.stream(spec.path, watchQuery(versionOf(whole[whole.length - 1])), (read) => read.some((line) => versionOf(line) === versionOf(cut)), 1000);
    lastPodVersion = versionOf(resumed.lines[resumed.lines.length - 1]);
  }
  return {
    description: 'The event stream of a namespace from now: three pods added; the pods watch breaks mid-event and is opened again from the last whole event.',
    recordedAgainst: RECORDED_AGAINST, authentication: 'bearer-token', scenario: { namespace, pods, lastPodVersion }, interactions: rec.interactions,
  };
}

async function createRunningPod(core: CoreV1Api, namespace: string, name: string, podIP: string, twoContainers = true): Promise<void> {
  const images = twoContainers ? ['nginx:1.25', 'envoy:1.28'] : ['nginx:1.25'];
  await core.createNamespacedPod({
    namespace, body: { metadata: { name, labels: { app: 'paged' } }, spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } },
  });
  await core.patchNamespacedPodStatus({
    namespace, name,
    body: { status: { phase: 'Running', podIP, hostIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: images.map((image, i) => runningStatus(`c${i}`, image)) } },
  }, mergePatch);
}

async function expectOk(answer: Promise<{ status: number; body: unknown }>): Promise<unknown> {
  const { status: code, body } = await answer;
  if (code !== 200) throw new Error(`the live server answered HTTP ${code}: ${JSON.stringify(body)}`);
  return body;
}

function selector(fieldSelector: string | undefined): Record<string, string> {
  return fieldSelector === undefined ? {} : { fieldSelector };
}

function versionOf(line: string): string {
  return (JSON.parse(line) as { object?: { metadata?: { resourceVersion?: string } } }).object?.metadata?.resourceVersion ?? '';
}

/** A Status as the API server answers a failed request. */
function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}
