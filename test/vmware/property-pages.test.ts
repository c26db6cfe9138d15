import { expect } from 'chai';
import { decodeRetrieveResult, type RetrieveResult } from '../../src/providers/vmware/property-collector-answers';
import { retrievePages } from '../../src/providers/vmware/property-pages';
import { child, parseXml } from '../../src/providers/vmware/soap-xml';

/**
 * A RetrievePropertiesEx answer as vCenter writes it (xsi: prefix declared on the envelope, a token while more
 * remains). vcsim never pages, so the pages here are written in the shape of a recorded answer, with the token
 * added: they prove the generator and the decoding, not a server.
 */
function answer(method: string, vms: { id: string; name: string; datastores: string[] }[], token?: string): RetrieveResult {
  const objects = vms.map((vm) => '<objects>'
    + `<obj type="VirtualMachine">${vm.id}</obj>`
    + `<propSet><name>name</name><val xsi:type="xsd:string">${vm.name}</val></propSet>`
    + '<propSet><name>datastore</name><val xsi:type="ArrayOfManagedObjectReference">'
    + vm.datastores.map((ds) => `<ManagedObjectReference type="Datastore">${ds}</ManagedObjectReference>`).join('')
    + '</val></propSet>'
    + '<propSet><name>summary.config.memorySizeMB</name><val xsi:type="xsd:int">2048</val></propSet>'
    + '<propSet><name>guest.ipAddress</name><val xsi:type="ArrayOfString"><string>10.0.0.7</string></val></propSet>'
    + '</objects>').join('');
  const xml = '<?xml version="1.0" encoding="UTF-8"?>'
    + '<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
    + ' xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    + `<soapenv:Body><${method}Response xmlns="urn:vim25"><returnval>${token === undefined ? '' : `<token>${token}</token>`}${objects}</returnval>`
    + `</${method}Response></soapenv:Body></soapenv:Envelope>`;
  const body = child(parseXml(xml)!, 'Body')!;
  return decodeRetrieveResult(child(body.children[0]!, 'returnval'));
}

const vm = (n: number, datastores = ['datastore-1']) => ({ id: `vm-${n}`, name: `web ${n} `, datastores });

describe('vmware: paged retrieval (RetrievePropertiesEx, then ContinueRetrievePropertiesEx)', () => {
  it('follows the token from page to page until a page comes without one', async () => {
    const asked: string[] = [];
    const cancelled: string[] = [];
    const pages = retrievePages({
      first: async () => { asked.push('first'); return answer('RetrievePropertiesEx', [vm(1), vm(2)], 'token-1'); },
      next: async (token) => {
        asked.push(token);
        return token === 'token-1' ? answer('ContinueRetrievePropertiesEx', [vm(3), vm(4)], 'token-2') : answer('ContinueRetrievePropertiesEx', [vm(5)]);
      },
      cancel: async (token) => { cancelled.push(token); },
    });
    const seen: string[][] = [];
    for await (const page of pages) seen.push(page.map((object) => object.obj.value));
    expect(seen).to.deep.equal([['vm-1', 'vm-2'], ['vm-3', 'vm-4'], ['vm-5']]);
    expect(asked).to.deep.equal(['first', 'token-1', 'token-2']);
    expect(cancelled).to.deep.equal([]);
  });

  it('cancels what remains when the reader stops early', async () => {
    const cancelled: string[] = [];
    const pages = retrievePages({
      first: async () => answer('RetrievePropertiesEx', [vm(1)], 'token-1'),
      next: async () => answer('ContinueRetrievePropertiesEx', [vm(2)], 'token-2'),
      cancel: async (token) => { cancelled.push(token); },
    });
    for await (const page of pages) {
      expect(page).to.have.length(1);
      break;
    }
    expect(cancelled).to.deep.equal(['token-1']);
  });

  it('fails with the failure of a page in the middle', async () => {
    const pages = retrievePages({
      first: async () => answer('RetrievePropertiesEx', [vm(1)], 'token-1'),
      next: async () => { throw new Error('ContinueRetrievePropertiesEx: InvalidArgument'); },
      cancel: async () => undefined,
    });
    const read: string[] = [];
    const error = await (async () => { for await (const page of pages) read.push(...page.map((object) => object.obj.value)); })().then(() => undefined, (e: unknown) => e);
    expect(read).to.deep.equal(['vm-1']);
    expect((error as Error).message).to.equal('ContinueRetrievePropertiesEx: InvalidArgument');
  });

  it('reads values by their xsi:type: lists of one stay lists, numbers are numbers, text keeps its spaces', () => {
    const [object] = answer('RetrievePropertiesEx', [vm(1, ['datastore-9'])]).objects;
    expect(object!.properties.get('name')).to.equal('web 1 ');
    expect(object!.properties.get('datastore')).to.deep.equal([{ type: 'Datastore', value: 'datastore-9' }]);
    expect(object!.properties.get('summary.config.memorySizeMB')).to.equal(2048);
    expect(object!.properties.get('guest.ipAddress')).to.deep.equal(['10.0.0.7']);
  });
});
