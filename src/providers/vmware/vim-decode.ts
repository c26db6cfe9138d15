import type { XmlElement } from './soap-xml';
import type { DataObject, ManagedObjectReference, PropertyValue } from './vim-values';

const NUMBER_TYPES: ReadonlySet<string> = new Set(['xsd:int', 'xsd:long', 'xsd:short', 'xsd:byte', 'xsd:float', 'xsd:double']);

/** The element type of the ArrayOf... types whose items come without an xsi:type of their own. */
const ARRAY_ITEM_TYPES: Readonly<Record<string, string>> = {
  ArrayOfString: 'xsd:string', ArrayOfInt: 'xsd:int', ArrayOfLong: 'xsd:long', ArrayOfShort: 'xsd:short', ArrayOfByte: 'xsd:byte',
  ArrayOfFloat: 'xsd:float', ArrayOfDouble: 'xsd:double', ArrayOfBoolean: 'xsd:boolean', ArrayOfDateTime: 'xsd:dateTime',
  ArrayOfAnyURI: 'xsd:anyURI', ArrayOfManagedObjectReference: 'ManagedObjectReference',
};

/**
 * A value as vim25 wrote it (a property's `val`, a change's `val`, a method's `returnval`), read by its xsi:type;
 * `typeHint` stands in for an item's missing xsi:type inside an ArrayOf... of a known item type.
 */
export function decodeValue(element: XmlElement, typeHint?: string): PropertyValue {
  const type = element.xsiType ?? typeHint;
  if (type !== undefined) {
    if (NUMBER_TYPES.has(type)) return Number(element.text);
    if (type === 'xsd:boolean') return element.text === 'true' || element.text === '1';
    if (type.startsWith('xsd:')) return element.text;
    if (type === 'ManagedObjectReference') return decodeRef(element);
    if (type.startsWith('ArrayOf')) {
      const itemType = ARRAY_ITEM_TYPES[type];
      return element.children.map((item) => decodeValue(item, itemType));
    }
  }
  if (element.children.length === 0) {
    // A leaf with a `type` attribute is a reference (nested references carry no xsi:type); with a vim25 type it is
    // an enum's text, unless it is empty: then it is a data object with no fields set (a fault such as InvalidLogin).
    if (element.attributes.has('type') && type === undefined) return decodeRef(element);
    if (type !== undefined && element.text === '') return { type, fields: new Map() };
    return element.text;
  }
  return decodeObject(element, type);
}

/** A data object from an element with children, its fields decoded in the order they came. */
export function decodeObject(element: XmlElement, type: string | undefined = element.xsiType): DataObject {
  const fields = new Map<string, PropertyValue[]>();
  for (const item of element.children) {
    const values = fields.get(item.name);
    const value = decodeValue(item);
    if (values === undefined) fields.set(item.name, [value]);
    else values.push(value);
  }
  return { type, fields };
}

export function decodeRef(element: XmlElement): ManagedObjectReference {
  return { type: element.attributes.get('type') ?? '', value: element.text };
}
