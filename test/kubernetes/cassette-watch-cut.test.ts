import { expect } from 'chai';
import type { EventBatch } from '../../src/core/events/provider-events';
import { kubernetesEvents } from '../../src/providers/kubernetes/kubernetes-events';
import type { KubeWatchEvent } from '../../src/providers/kubernetes/kube-watched';
import { loadCassette, replayCassette, type CassettePlayer } from '../support/cassette';
import { KubeCassetteFixture } from '../support/kube-cassette-fixture';
import { within } from '../support/wait';
import { KUBE_CASSETTES, type WatchScenario } from '../cassettes/kube-scenarios';

/**
 * A watch whose connection breaks in the middle of an event, from a cassette recorded against the real server: the
 * pods watch delivers two pods' changes, half of the third pod's ADDED, then the connection ends.
 */
describe('kubernetes cassettes: a watch cut mid-event', () => {
  let player: CassettePlayer<WatchScenario> | undefined;
  afterEach(() => {
    player?.stop();
    player = undefined;
  });

  it('opens the watch again from the last whole event, losing and repeating nothing', async () => {
    const { scenario } = loadCassette<WatchScenario>(KUBE_CASSETTES.watchCut);
    const kube = await KubeCassetteFixture.create(scenario);
    const instance = await kube.instance();
    player = replayCassette<WatchScenario>(KUBE_CASSETTES.watchCut);
    const abort = new AbortController();
    const stream = instance.streamEvents?.(null, abort.signal) as AsyncIterable<EventBatch<KubeWatchEvent>>;
    const batches: EventBatch<KubeWatchEvent>[] = [];
    const podsKey = `${scenario.namespace}/pods`;
    await within((async () => {
      for await (const batch of stream) {
        batches.push(batch);
        if ((batch.position as Record<string, string>)[podsKey] === scenario.lastPodVersion) break;
      }
    })(), `the pods watch to reach resourceVersion ${scenario.lastPodVersion}`, 20_000);
    abort.abort();

    const events = batches.flatMap((batch) => batch.events.map((native) => kubernetesEvents.parse(native)));
    expect(events.map((event) => event.message)).to.deep.equal(scenario.pods.flatMap((pod) => [
      `Pod ${scenario.namespace}/${pod} added`, `Pod ${scenario.namespace}/${pod} modified`,
    ]));
    expect(new Set(events.map((event) => event.sourceId)).size, 'each change once').to.equal(events.length);
    // The cut stream and the one opened again from the second pod's last change were both asked for.
    player.assertPlayed();
  });
});
