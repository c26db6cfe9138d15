import { expect } from 'chai';
import { startDemoCloud, type ListResponse, type RunningDemoCloud } from '../../src/demo-cloud';
import { AUTH, getJson, REGION, sendJson, walk } from './helpers';

describe('demo cloud faults', () => {
  let cloud: RunningDemoCloud;

  before(async () => {
    cloud = await startDemoCloud({ vms: 50 });
  });
  afterEach(async () => {
    expect((await sendJson(cloud, 'DELETE', '/admin/faults')).status).to.equal(200);
  });
  after(async () => {
    await cloud.close();
  });

  const vmsPath = `/v1/regions/${REGION}/vms`;

  it('error_500 fails the named collection N times, then recovers', async () => {
    const put = await sendJson(cloud, 'PUT', '/admin/faults', { error_500: { collection: 'vms', times: 2 } });
    expect(put).to.deep.equal({ status: 200, body: { error_500: { collection: 'vms', times: 2 } } });

    expect((await getJson(cloud, `/v1/regions/${REGION}/volumes`)).status).to.equal(200);
    expect(await getJson(cloud, vmsPath)).to.deep.equal({ status: 500, body: { error: 'injected fault: error_500' } });
    expect((await getJson(cloud, `${vmsPath}/vm-0000001`)).status).to.equal(500);
    expect((await getJson(cloud, vmsPath)).status).to.equal(200);
    expect((await getJson(cloud, `${vmsPath}/vm-0000001`)).status).to.equal(200);
  });

  it('error_500 without times lasts until the faults are cleared', async () => {
    await sendJson(cloud, 'PUT', '/admin/faults', { error_500: { collection: 'images' } });
    for (let i = 0; i < 3; i++) expect((await getJson(cloud, `/v1/regions/${REGION}/images`)).status).to.equal(500);
    await sendJson(cloud, 'DELETE', '/admin/faults');
    expect((await getJson(cloud, `/v1/regions/${REGION}/images`)).status).to.equal(200);
  });

  it('malformed serves truncated JSON labelled application/json for list responses only', async () => {
    await sendJson(cloud, 'PUT', '/admin/faults', { malformed: { collection: 'vms' } });
    const response = await fetch(cloud.url + vmsPath, { headers: AUTH });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    const text = await response.text();
    expect(text.startsWith('{"items":[')).to.equal(true);
    expect(() => JSON.parse(text)).to.throw(SyntaxError);

    expect((await getJson(cloud, `${vmsPath}/vm-0000001`)).status).to.equal(200);
    expect((await getJson(cloud, `/v1/regions/${REGION}/volumes`)).status).to.equal(200);
  });

  it('missing_page silently serves the next page instead, so the walk falls short of total', async () => {
    await sendJson(cloud, 'PUT', '/admin/faults', { missing_page: { collection: 'vms', page: 1 } });
    const result = await walk(cloud, 'vms', 10);
    expect(result.total).to.equal(50);
    expect(result.ids).to.have.length(40);
    expect(result.ids.filter((id) => id > 'vm-0000010' && id <= 'vm-0000020')).to.deep.equal([]);
    expect(new Set(result.ids).size).to.equal(40);

    const other = await walk(cloud, 'volumes', 10);
    expect(other.ids).to.have.length(other.total);
  });

  it('missing_page on the last page answers an empty last page', async () => {
    await sendJson(cloud, 'PUT', '/admin/faults', { missing_page: { collection: 'vms', page: 4 } });
    const result = await walk(cloud, 'vms', 10);
    expect(result.ids).to.have.length(40);
    expect(result.pages).to.equal(5);
  });

  it('slow_ms delays /v1 responses: one sent before it is switched off answers after one sent later', async () => {
    const answered: string[] = [];
    const note = (name: string) => ({ status }: { status: number }) => { answered.push(`${name} ${status}`); };
    // Long enough that the later request's round trip fits in it on the busiest machine.
    await sendJson(cloud, 'PUT', '/admin/faults', { slow_ms: 5_000 });
    const slowed = getJson<ListResponse>(cloud, vmsPath).then(note('slowed'));
    await sendJson(cloud, 'DELETE', '/admin/faults');
    await getJson<ListResponse>(cloud, vmsPath).then(note('later'));
    await slowed;
    expect(answered).to.deep.equal(['later 200', 'slowed 200']);
  });

  it('hold keeps /v1 requests unanswered until it is switched off, and the admin routes answering', async () => {
    expect((await sendJson(cloud, 'PUT', '/admin/faults', { hold: true })).body).to.deep.equal({ hold: true });
    let settled = false;
    const held = Promise.all([getJson(cloud, vmsPath), getJson(cloud, `${vmsPath}/vm-0000001`)])
      .then((answers) => answers.map((a) => a.status)).finally(() => { settled = true; });
    // The admin routes still answer, several round trips on, and the held requests have not.
    for (let i = 0; i < 5; i++) expect((await getJson(cloud, '/admin/faults')).body).to.deep.equal({ hold: true });
    expect(settled).to.equal(false);
    await sendJson(cloud, 'PUT', '/admin/faults', { hold: false });
    expect(await held).to.deep.equal([200, 200]);
    expect((await getJson(cloud, vmsPath)).status).to.equal(200);
  });

  it('throttle answers 429 with the chosen Retry-After N times, on every /v1 route, then recovers', async () => {
    const put = await sendJson(cloud, 'PUT', '/admin/faults', { throttle: { times: 3, retry_after: 7 } });
    expect(put).to.deep.equal({ status: 200, body: { throttle: { status: 429, times: 3, retry_after: 7 } } });

    for (const path of ['/v1/regions', vmsPath, `/v1/regions/${REGION}/events?after=0`]) {
      const response = await fetch(cloud.url + path, { headers: AUTH });
      expect(response.status, path).to.equal(429);
      expect(response.headers.get('retry-after'), path).to.equal('7');
      expect(await response.json(), path).to.deep.equal({ error: 'injected fault: throttle (HTTP 429)' });
    }
    expect((await getJson(cloud, vmsPath)).status).to.equal(200);
    expect((await getJson(cloud, '/admin/faults')).body).to.deep.equal({});
  });

  it('throttle on a collection answers 503 without Retry-After when told, and leaves the other routes alone', async () => {
    await sendJson(cloud, 'PUT', '/admin/faults', { throttle: { status: 503, collection: 'vms' } });
    expect((await getJson(cloud, '/v1/regions')).status).to.equal(200);
    expect((await getJson(cloud, `/v1/regions/${REGION}/volumes`)).status).to.equal(200);
    for (const path of [vmsPath, `${vmsPath}/vm-0000001`, vmsPath]) {
      const response = await fetch(cloud.url + path, { headers: AUTH });
      expect(response.status, path).to.equal(503);
      expect(response.headers.has('retry-after'), path).to.equal(false);
    }
  });

  it('throttle at a rate answers 429 to about that fraction of requests, the same ones for the same settings', async () => {
    const statuses = async (): Promise<number[]> => {
      await sendJson(cloud, 'PUT', '/admin/faults', { throttle: { rate: 0.5, retry_after: 1 } });
      const seen: number[] = [];
      for (let i = 0; i < 40; i++) seen.push((await getJson(cloud, '/v1/regions')).status);
      return seen;
    };
    const first = await statuses();
    expect(first.filter((s) => s === 429).length).to.be.within(8, 32);
    expect(first.filter((s) => s !== 429 && s !== 200)).to.deep.equal([]);
    expect(await statuses()).to.deep.equal(first);
  });

  it('rejects invalid fault settings with 400', async () => {
    for (const body of [
      { error_500: { collection: 'printers' } },
      { error_500: { collection: 'vms', times: 0 } },
      { slow_ms: -5 },
      { missing_page: { collection: 'vms' } },
      { explode: true },
      { throttle: { status: 500 } },
      { throttle: { times: 2, rate: 0.5 } },
      { throttle: { rate: 1.5 } },
      { throttle: { retry_after: -1 } },
      { throttle: { collection: 'printers' } },
      { throttle: { wait: 1 } },
      { hold: 'yes' },
      { bad_metrics: 'garbled' },
    ]) {
      const answer = await sendJson<{ error: string }>(cloud, 'PUT', '/admin/faults', body);
      expect(answer.status, JSON.stringify(body)).to.equal(400);
    }
  });
});
