import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { get, request } from 'node:https';
import { join } from 'node:path';
import { CASSETTE_DIR, loadCassette, replayCassette, type CassettePlayer, REPLAY_ORIGIN, REPLAY_PASSWORD, REPLAY_TOKEN, scrub, type Cassette, type CassetteRequest } from './cassette';
import { SESSION_COOKIE } from '../../src/testing/cassette-soap';
import { KUBE_CASSETTES, type RefreshScenario } from '../cassettes/kube-scenarios';
import { VMWARE_CASSETTES } from '../cassettes/vmware-scenarios';

/** The status of a GET to the replay origin, or the error's code when nothing answered it. */
function statusOf(path: string, token: string): Promise<number | string> {
  return new Promise((resolve) => {
    get(`${REPLAY_ORIGIN}${path}`, { headers: { authorization: `Bearer ${token}` } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
  });
}

/** The status of a POST of `body` to the replay origin with `headers`, or the error's code when nothing answered it. */
function postStatus(path: string, body: string, headers: Record<string, string>): Promise<number | string> {
  return new Promise((resolve) => {
    const outgoing = request(`${REPLAY_ORIGIN}${path}`, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', ...headers } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    outgoing.on('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
    outgoing.end(body);
  });
}

/** The headers a vSphere client sends with a recorded SOAP call: its SOAPAction, and its session's cookie. */
function soapHeaders(recorded: CassetteRequest, session = recorded.soap?.session ?? null): Record<string, string> {
  return { soapaction: recorded.soap?.action ?? '', ...(session === null ? {} : { cookie: `${SESSION_COOKIE}=${session}` }) };
}

describe('cassettes', () => {
  const recorded: Cassette = {
    description: 'a listing', recordedAgainst: 'a live server', authentication: 'bearer-token', scenario: {},
    interactions: [{
      request: { method: 'GET', path: '/api/v1/pods', query: {} },
      response: { status: 200, headers: { 'content-type': 'application/json', authorization: 'Bearer live-token-1234' }, body: { note: 'seen live-token-1234 here' } },
    }],
  };

  it('scrubs tokens wherever they appear and drops credential headers', () => {
    const scrubbed = scrub(recorded, ['live-token-1234']);
    expect(JSON.stringify(scrubbed)).not.to.include('live-token-1234');
    expect(scrubbed.interactions[0].response.headers).to.deep.equal({ 'content-type': 'application/json' });
    expect(scrubbed.interactions[0].response).to.deep.include({ body: { note: 'seen <scrubbed> here' } });
  });

  it('refuses to write a certificate or key into a cassette', () => {
    const withPem: Cassette = { ...recorded, scenario: { ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' } };
    expect(() => scrub(withPem, [])).to.throw('holds a certificate or key');
  });

  it('refuses a password other than the replay password, and a session key that is not a stand-in', () => {
    const login = (password: string, view: string): Cassette => ({
      ...recorded, authentication: 'vim-session',
      interactions: [{
        request: { method: 'POST', path: '/sdk', query: {}, soap: { action: 'urn:vim25/6.5', method: 'Login', session: null }, body: `<Login><password>${password}</password></Login>` },
        response: { status: 200, headers: {}, text: `<returnval type="ContainerView">${view}</returnval>`, setsSession: 'session-1' },
      }],
    });
    expect(() => scrub(login(REPLAY_PASSWORD, 'session[session-1]5f0c'), [])).not.to.throw();
    expect(() => scrub(login('pw-4f1e9a', 'session[session-1]5f0c'), [])).to.throw('holds a password other than the replay password');
    expect(() => scrub(login(REPLAY_PASSWORD, 'session[52d1c8a4-77e3]5f0c'), [])).to.throw('holds a session key that is not a stand-in');
    expect(() => scrub({ ...login(REPLAY_PASSWORD, ''), description: `${SESSION_COOKIE}=52d1c8a4-77e3` }, [])).to.throw(`holds a ${SESSION_COOKIE} cookie that is not a stand-in`);
  });

  it('keeps no credential in any committed cassette, of any provider type', () => {
    const types = readdirSync(CASSETTE_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    expect(types).to.deep.equal(['kubernetes', 'vmware']);
    const names = types.flatMap((type) => readdirSync(join(CASSETTE_DIR, type)).filter((file) => file.endsWith('.json')).map((file) => `${type}/${file.replace(/\.json$/, '')}`));
    expect(names.sort()).to.deep.equal([...Object.values(KUBE_CASSETTES), ...Object.values(VMWARE_CASSETTES)].sort());
    for (const name of names) {
      const text = readFileSync(join(CASSETTE_DIR, `${name}.json`), 'utf8');
      expect(text, name).not.to.match(/"(proxy-)?authorization"|bearer\s|-----BEGIN|"(set-)?cookie"|vmware_soap_session=/i);
      // loadCassette refuses a certificate, a credential header, a password other than the replay password and a
      // session key or cookie that is not a stand-in.
      expect(() => loadCassette(name), name).not.to.throw();
    }
  });

  describe('a cassette being replayed', () => {
    let player: CassettePlayer<RefreshScenario> | undefined;
    afterEach(() => player?.stop());

    it('reports a request it does not match, one without the replay token, and every interaction never asked for', async () => {
      player = replayCassette<RefreshScenario>(KUBE_CASSETTES.continuePages);
      expect(await statusOf(`/api/v1/namespaces/${player.scenario.namespace}`, REPLAY_TOKEN)).to.equal(200);
      expect(await statusOf('/api/v1/namespaces/elsewhere', REPLAY_TOKEN), 'no network behind it').to.equal('ERR_NOCK_NO_MATCH');
      expect(await statusOf(`/api/v1/namespaces/${player.scenario.namespace}`, 'another-token')).to.equal('ERR_NOCK_NO_MATCH');

      expect(() => player?.assertPlayed()).to.throw(Error)
        .with.property('message').that.includes('a request the cassette does not match: GET /api/v1/namespaces/elsewhere')
        .and.includes('an interaction never asked for: GET https://127.0.0.1:6443/api/v1/nodes');
    });

    it('passes once every interaction was asked for, each once', async () => {
      player = replayCassette<RefreshScenario>(KUBE_CASSETTES.continuePages);
      for (const { request } of player.cassette.interactions) {
        const query = new URLSearchParams(request.query).toString();
        expect(await statusOf(`${request.path}${query ? `?${query}` : ''}`, REPLAY_TOKEN), request.path).to.equal(200);
      }
      player.assertPlayed();
      const first = `/api/v1/namespaces/${player.scenario.namespace}`;
      expect(await statusOf(first, REPLAY_TOKEN), 'an interaction answers once').to.equal('ERR_NOCK_NO_MATCH');
      expect(() => player?.assertPlayed()).to.throw(`a request the cassette does not match: GET ${first}`);
    });
  });

  describe('a SOAP cassette being replayed', () => {
    let player: CassettePlayer<unknown> | undefined;
    afterEach(() => player?.stop());
    const call = (method: string, nth = 0): CassetteRequest => {
      const found = player?.cassette.interactions.filter(({ request: recorded }) => recorded.soap?.method === method)[nth]?.request;
      if (found?.body === undefined) throw new Error(`the cassette has no ${method} call`);
      return found;
    };

    it('answers a call only with its SOAPAction, its session\'s cookie (none before Login) and its body as recorded', async () => {
      player = replayCassette(VMWARE_CASSETTES.sessionExpired);
      const content = call('RetrieveServiceContent');
      const login = call('Login');
      const view = call('CreateContainerView');
      const body = (recorded: CassetteRequest): string => recorded.body ?? '';

      expect(await postStatus('/sdk', body(content), { ...soapHeaders(content), cookie: `${SESSION_COOKIE}=session-1` }), 'a cookie before Login').to.equal('ERR_NOCK_NO_MATCH');
      expect(await postStatus('/sdk', body(content), soapHeaders(content))).to.equal(200);
      expect(await postStatus('/sdk', body(login).replace(REPLAY_PASSWORD, 'another-password'), soapHeaders(login)), 'another password').to.equal('ERR_NOCK_NO_MATCH');
      expect(await postStatus('/sdk', `  ${body(login).replace('><', '>\n  <')}\n`, soapHeaders(login)), 'the same body, indented').to.equal(200);
      expect(await postStatus('/sdk', body(view), soapHeaders(view, 'session-2')), 'another session').to.equal('ERR_NOCK_NO_MATCH');
      expect(await postStatus('/sdk', body(view), { ...soapHeaders(view), soapaction: 'urn:vim25/5.5' }), 'another API version').to.equal('ERR_NOCK_NO_MATCH');
      expect(await postStatus('/sdk', body(view).replace('<recursive>true</recursive>', '<recursive>false</recursive>'), soapHeaders(view)), 'another body').to.equal('ERR_NOCK_NO_MATCH');

      expect(() => player?.assertPlayed()).to.throw(Error)
        .with.property('message').that.includes('a request the cassette does not match: POST /sdk (Login)')
        .and.includes('a request the cassette does not match: POST /sdk (CreateContainerView)')
        .and.includes('an interaction never asked for: POST https://127.0.0.1:6443/sdk (CreateContainerView, session-1)');
    });
  });
});
