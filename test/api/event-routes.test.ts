import { expect } from 'chai';
import { ApiFixture } from '../support/api-fixture';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';

/** An event the test stores, at a time given to the microsecond past a base time. */
interface TestEvent {
  key: string;
  provider: 'a' | 'b';
  type: string;
  /** Microseconds after the base time. */
  at: number;
  refs: { collection: string; emsRef: string }[];
  /** The VM (index) the event is linked to, if any. */
  linkedVm?: number;
}

interface EventBody {
  id: string;
  providerId: string;
  type: string;
  source: string;
  timestamp: string;
  message: string;
  refs: { collection: string; emsRef: string }[];
  objects: Record<string, string>;
  objectNames: Record<string, string>;
}

interface EventPage {
  items: EventBody[];
  next: string | null;
}

const BASE_MS = Date.parse('2030-05-06T07:00:00.000Z');
const SECOND = 1_000_000;

describe('API: events', function () {
  let api: ApiFixture;
  let a: DemoFixture;
  let b: DemoFixture;
  let vms: { id: string; ems_ref: string; name: string }[];
  /** The stored events by key, with their ids. */
  const stored = new Map<string, TestEvent & { id: string }>();

  const vmRef = (i: number) => ({ collection: 'vms', emsRef: vms[i].ems_ref });
  // Both clouds have the same seed, so provider b's VMs have the same references as a's: only the provider tells them apart.
  const events = (): TestEvent[] => [
    { key: 'a-on', provider: 'a', type: 'vm.power_on', at: 0, refs: [vmRef(0)], linkedVm: 0 },
    { key: 'a-off-unlinked', provider: 'a', type: 'vm.power_off', at: SECOND, refs: [vmRef(0)] },
    { key: 'b-on-same-ref', provider: 'b', type: 'vm.power_on', at: SECOND + SECOND / 2, refs: [vmRef(0)] },
    { key: 'a-on-other-vm', provider: 'a', type: 'vm.power_on', at: 2 * SECOND, refs: [vmRef(1)], linkedVm: 1 },
    { key: 'a-alarm', provider: 'a', type: 'vm.alarm', at: 3 * SECOND, refs: [vmRef(0)], linkedVm: 0 },
    { key: 'a-volume-same-time', provider: 'a', type: 'volume.create', at: 3 * SECOND, refs: [{ collection: 'volumes', emsRef: 'vol-new' }] },
    // Two events within one millisecond, after a third of the same millisecond: a cursor in milliseconds would skip one.
    { key: 'a-on-micro-500', provider: 'a', type: 'vm.power_on', at: 3 * SECOND + 500, refs: [vmRef(0)] },
    { key: 'a-off-micro-7', provider: 'a', type: 'vm.power_off', at: 3 * SECOND + 7, refs: [vmRef(0), vmRef(1)], linkedVm: 1 },
  ];

  /** ISO time with microseconds: what PostgreSQL keeps of it. */
  const timeOf = (at: number): string => {
    const ms = BASE_MS + Math.floor(at / 1000);
    return `${new Date(ms).toISOString().slice(0, -1)}${String(at % 1000).padStart(3, '0')}Z`;
  };

  /** The keys of the stored events matching `include`, newest first (by time, then id): computed here, not by SQL. */
  const expected = (include: (event: TestEvent & { id: string }) => boolean): string[] => [...stored.values()]
    .filter(include)
    .sort((x, y) => y.at - x.at || Number(BigInt(y.id) - BigInt(x.id)))
    .map((event) => event.key);

  const keysOf = (page: EventPage): string[] => page.items.map((item) => {
    const event = [...stored.values()].find((e) => e.id === item.id);
    return event ? event.key : `unknown ${item.id}`;
  });

  const list = async (query: string): Promise<EventPage> => {
    const response = await api.get(`/api/v1/events?${query}`);
    expect(response.statusCode, response.body).to.equal(200);
    return response.json() as EventPage;
  };

  before(async () => {
    const { dataSource } = testEnv();
    a = await DemoFixture.start({ vms: 3, seed: 71 });
    b = await DemoFixture.start({ vms: 3, seed: 71 });
    await a.refresh();
    vms = await dataSource.query('SELECT id::text AS id, ems_ref, name FROM cloud_vms WHERE provider_id = $1 ORDER BY ems_ref', [a.provider.id]);
    for (const [i, event] of events().entries()) {
      const provider = event.provider === 'a' ? a.provider : b.provider;
      const [{ id }]: { id: string }[] = await dataSource.query(
        `INSERT INTO event_streams (provider_id, source_id, event_type, "timestamp", message, refs, cloud_vm_id)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) RETURNING id::text AS id`,
        [provider.id, `source-${i}`, event.type, timeOf(event.at), `event ${event.key}`, JSON.stringify(event.refs),
          event.linkedVm === undefined ? null : vms[event.linkedVm].id],
      );
      stored.set(event.key, { ...event, id });
    }
    api = await ApiFixture.start();
  });
  after(async () => {
    await api?.close();
    await a?.close();
    await b?.close();
  });

  it('lists a provider\'s events newest first, with their source, references and the objects they name', async () => {
    const page = await list(`providerId=${a.provider.id}`);
    expect(keysOf(page)).to.deep.equal(expected((e) => e.provider === 'a'));
    expect(page.next).to.equal(null);
    const alarm = page.items.find((item) => item.id === stored.get('a-alarm')?.id);
    expect(alarm).to.deep.equal({
      id: stored.get('a-alarm')?.id, providerId: a.provider.id, type: 'vm.alarm', source: 'source-4', timestamp: new Date(BASE_MS + 3000).toISOString(),
      message: 'event a-alarm', refs: [vmRef(0)], objects: { cloud_vms: vms[0].id }, objectNames: { cloud_vms: vms[0].name },
    });
    const objectsOf = (key: string, items = page.items) => items.find((item) => item.id === stored.get(key)?.id)?.objects;
    // Stored without a link (before a refresh brought its VM in, say), an event names the VM the inventory has now.
    expect(objectsOf('a-off-unlinked')).to.deep.equal({ cloud_vms: vms[0].id });
    // An object the inventory does not have is named by no row; another provider's object of the same reference neither.
    expect(objectsOf('a-volume-same-time')).to.deep.equal({});
    expect(objectsOf('b-on-same-ref', (await list(`providerId=${b.provider.id}`)).items)).to.deep.equal({});
  });

  it('filters by one or several types', async () => {
    expect(keysOf(await list(`providerId=${a.provider.id}&type=vm.alarm`))).to.deep.equal(['a-alarm']);
    const several = await list(`providerId=${a.provider.id}&type=${encodeURIComponent('vm.power_on, vm.alarm')}`);
    expect(keysOf(several)).to.deep.equal(expected((e) => e.provider === 'a' && ['vm.power_on', 'vm.alarm'].includes(e.type)));
  });

  it('finds an object\'s events: linked to it, or naming it before it was linked; not another provider\'s of the same reference', async () => {
    const page = await list(`collection=cloud_vms&objectId=${vms[0].id}`);
    const ofVm0 = expected((e) => e.provider === 'a' && (e.linkedVm === 0 || (e.linkedVm === undefined && e.refs.some((r) => r.emsRef === vms[0].ems_ref))));
    expect(keysOf(page)).to.deep.equal(ofVm0);
    expect(ofVm0).to.include.members(['a-on', 'a-off-unlinked', 'a-alarm', 'a-on-micro-500']);
    // Linked to the other VM though it names this one too: the link says which object it is about.
    expect(ofVm0).not.to.include('a-off-micro-7');
    const ofVm1 = await list(`collection=cloud_vms&objectId=${vms[1].id}&type=vm.power_off`);
    expect(keysOf(ofVm1)).to.deep.equal(['a-off-micro-7']);
  });

  it('keeps to a time window: since included, until not', async () => {
    const page = await list(`providerId=${a.provider.id}&since=${timeOf(SECOND)}&until=${timeOf(3 * SECOND)}`);
    expect(keysOf(page)).to.deep.equal(expected((e) => e.provider === 'a' && e.at >= SECOND && e.at < 3 * SECOND));
    const both = await list(`since=${timeOf(SECOND)}&until=${timeOf(2 * SECOND)}&type=vm.power_on,vm.power_off`);
    expect(keysOf(both).filter((key) => !key.startsWith('unknown'))).to.deep.equal(['b-on-same-ref', 'a-off-unlinked']);
  });

  it('pages through events with the cursor, missing none and repeating none, also within one millisecond', async () => {
    const all = expected((e) => e.provider === 'a');
    for (const limit of [1, 2, 3]) {
      const seen: string[] = [];
      let after: string | null = null;
      for (let pages = 0; pages <= all.length; pages += 1) {
        const page: EventPage = await list(`providerId=${a.provider.id}&limit=${limit}${after === null ? '' : `&after=${after}`}`);
        expect(page.items.length).to.be.at.most(limit);
        seen.push(...keysOf(page));
        after = page.next;
        if (after === null) break;
      }
      expect(after, `limit ${limit}: pages end`).to.equal(null);
      expect(seen, `limit ${limit}`).to.deep.equal(all);
    }
  });

  it('refuses bad parameters with 400 naming them, unknown providers and objects with 404, and requests without a token', async () => {
    const bad: [string, RegExp][] = [
      ['limit=0', /^querystring\.limit: must be >= 1/],
      ['limit=1001', /^querystring\.limit: must be <= 1000/],
      ['limit=many', /^querystring\.limit: must be integer/],
      ['providerId=abc', /^querystring\.providerId: must match pattern/],
      ['since=yesterday', /^querystring\.since: must match format "date-time"/],
      ['colour=red', /^querystring\.colour: is not a known field/],
      ['collection=cloud_vms', /^querystring\.objectId: is required with collection/],
      [`objectId=${vms[0].id}`, /^querystring\.collection: is required with objectId/],
      ['collection=nope&objectId=1', /^querystring\.collection: must be equal to one of the allowed values/],
      ['after=yesterday', /^querystring\.after: must match pattern/],
      ['type=,,', /^querystring\.type: name 1 to 20 event types/],
      [`type=${Array.from({ length: 21 }, (_, i) => `t${i}`).join(',')}`, /^querystring\.type: name 1 to 20 event types/],
      [`since=${timeOf(SECOND)}&until=${timeOf(SECOND)}`, /^querystring\.until: must be after since/],
    ];
    for (const [query, message] of bad) {
      const response = await api.get(`/api/v1/events?${query}`);
      expect(response.statusCode, query).to.equal(400);
      expect(response.json().error, query).to.match(message);
    }
    expect((await api.get('/api/v1/events?providerId=999999999')).statusCode).to.equal(404);
    const noObject = await api.get('/api/v1/events?collection=cloud_vms&objectId=999999999');
    expect(noObject.statusCode).to.equal(404);
    expect(noObject.json()).to.deep.equal({ error: 'no cloud_vms object 999999999' });
    const anonymous = await api.app.inject({ method: 'GET', url: `/api/v1/events?providerId=${a.provider.id}` });
    expect(anonymous.statusCode).to.equal(401);
  });
});
