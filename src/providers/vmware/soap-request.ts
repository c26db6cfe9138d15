import { escapeXml } from './soap-xml';
import type { ManagedObjectReference } from './vim-values';

/**
 * A request parameter: text, a number, a boolean, a reference (wrapped by `ref`, as its XML differs from a data
 * object's), a data object, or a list (written as the element repeated). Undefined is left out, as vim25 means by
 * an absent optional field.
 */
export type SoapValue = string | number | boolean | SoapRef | SoapObject | readonly SoapValue[] | undefined;

/**
 * A data object's fields, written in the order the object lists them: vim25's schema is a sequence, and vCenter
 * refuses fields out of order. `$type` is written as its xsi:type, where the schema asks for a subtype
 * (a selectSet's TraversalSpec).
 */
export interface SoapObject {
  readonly $type?: string;
  readonly [field: string]: SoapValue;
}

export class SoapRef {
  constructor(readonly target: ManagedObjectReference) {}
}

export function ref(target: ManagedObjectReference): SoapRef {
  return new SoapRef(target);
}

const ENVELOPE_START = '<?xml version="1.0" encoding="UTF-8"?>'
  + '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
  + ' xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
  + '<soapenv:Body>';
const ENVELOPE_END = '</soapenv:Body></soapenv:Envelope>';

/** The envelope of one call of `method` on the managed object `target`, with its parameters in order. */
export function soapEnvelope(method: string, target: ManagedObjectReference, parameters: SoapObject): string {
  let body = `<${method} xmlns="urn:vim25">${element('_this', ref(target))}`;
  for (const [name, value] of Object.entries(parameters)) if (name !== '$type') body += element(name, value);
  return `${ENVELOPE_START}${body}</${method}>${ENVELOPE_END}`;
}

function element(name: string, value: SoapValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item: SoapValue) => element(name, item)).join('');
  if (value instanceof SoapRef) return `<${name} type="${escapeXml(value.target.type)}">${escapeXml(value.target.value)}</${name}>`;
  if (typeof value === 'object') {
    const object = value as SoapObject;
    let inner = '';
    for (const [field, fieldValue] of Object.entries(object)) if (field !== '$type') inner += element(field, fieldValue);
    const type = object.$type === undefined ? '' : ` xsi:type="${escapeXml(object.$type)}"`;
    return `<${name}${type}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}
