import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { CASSETTE_DIR, CassettePlayer, loadCassette, REPLAY_ORIGIN, REPLAY_TOKEN, scrub, type Cassette } from './cassette';
import { KUBE_CASSETTES, type RefreshScenario } from '../cassettes/kube-scenarios';

/** The status of a GET to the replay origin, or the error's code when nothing answered it. */
function statusOf(path: string, token: string): Promise<number | string> {
  return new Promise((resolve) => {
    get(`${REPLAY_ORIGIN}${path}`, { headers: { authorization: `Bearer ${token}` } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
  });
}

describe('cassettes', () => {
  const recorded: Cassette = {
    description: 'a listing', recordedAgainst: 'a live server', scenario: {},
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

  it('keeps no credential in the committed kubernetes cassettes', () => {
    const files = readdirSync(join(CASSETTE_DIR, 'kubernetes')).filter((file) => file.endsWith('.json'));
    expect(files.map((file) => `kubernetes/${file.replace(/\.json$/, '')}`).sort()).to.deep.equal(Object.values(KUBE_CASSETTES).sort());
    for (const file of files) {
      const text = readFileSync(join(CASSETTE_DIR, 'kubernetes', file), 'utf8');
      expect(text, file).not.to.match(/authorization|bearer|-----BEGIN/i);
      expect(() => loadCassette(`kubernetes/${file.replace(/\.json$/, '')}`)).not.to.throw();
    }
  });

  describe('a cassette being replayed', () => {
    let player: CassettePlayer<RefreshScenario> | undefined;
    afterEach(() => player?.stop());

    it('reports a request it does not match, one without the replay token, and every interaction never asked for', async () => {
      player = CassettePlayer.replay<RefreshScenario>(KUBE_CASSETTES.continuePages);
      expect(await statusOf('/version', REPLAY_TOKEN)).to.equal(200);
      expect(await statusOf('/api/v1/namespaces/elsewhere', REPLAY_TOKEN), 'no network behind it').to.equal('ERR_NOCK_NO_MATCH');
      expect(await statusOf(`/api/v1/namespaces/${player.scenario.namespace}`, 'another-token')).to.equal('ERR_NOCK_NO_MATCH');

      expect(() => player?.assertPlayed()).to.throw(Error)
        .with.property('message').that.includes('a request the cassette does not match: GET /api/v1/namespaces/elsewhere')
        .and.includes('an interaction never asked for: GET https://127.0.0.1:6443/api/v1/nodes');
    });

    it('passes once every interaction was asked for, each once', async () => {
      player = CassettePlayer.replay<RefreshScenario>(KUBE_CASSETTES.continuePages);
      for (const { request } of player.cassette.interactions) {
        const query = new URLSearchParams(request.query).toString();
        expect(await statusOf(`${request.path}${query ? `?${query}` : ''}`, REPLAY_TOKEN), request.path).to.equal(200);
      }
      player.assertPlayed();
      expect(await statusOf('/version', REPLAY_TOKEN), 'an interaction answers once').to.equal('ERR_NOCK_NO_MATCH');
      expect(() => player?.assertPlayed()).to.throw('a request the cassette does not match: GET /version');
    });
  });
});
