import { XMLParser } from 'fast-xml-parser';

const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
const XSD_NAMESPACE = 'http://www.w3.org/2001/XMLSchema';

/**
 * One element of an answer, with what vim25 needs of it: its local name, its plain attributes (a managed object
 * reference's `type`), its `xsi:type` and its children in document order. Namespace prefixes are resolved, not
 * trusted: vCenter writes `xsi:type`, vcsim `XMLSchema-instance:type` with a declaration of its own, and a plain
 * `type` attribute sits beside it on a reference.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  /** The xsi:type: `xsd:<name>` for XML Schema's own types (xsd:int), the bare name for vim25's (ManagedObjectReference). */
  readonly xsiType: string | undefined;
  readonly children: readonly XmlElement[];
  /** The element's text; empty for an element with children. */
  readonly text: string;
}

/**
 * Ordered output: every element's children come as a list, so an array of one element looks like an array of
 * many, and elements of different names keep their order. Values stay text (numbers and booleans are read by
 * their xsi:type, never guessed), and text keeps its spaces (a VM's name may end with one).
 */
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
});

type OrderedNode = Record<string, unknown>;

/** The document's root element, or undefined when the text is not XML with one. */
export function parseXml(text: string): XmlElement | undefined {
  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(nodes)) return undefined;
  const root = elementsOf(nodes as unknown[], new Map())[0];
  return root;
}

/** The first child named `name`. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((each) => each.name === name);
}

/** Every child named `name`, in order. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((each) => each.name === name);
}

/** The text of the first child named `name`. */
export function childText(element: XmlElement, name: string): string | undefined {
  return child(element, name)?.text;
}

function elementsOf(nodes: readonly unknown[], scope: ReadonlyMap<string, string>): XmlElement[] {
  const elements: XmlElement[] = [];
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) continue;
    const entry = node as OrderedNode;
    const tag = Object.keys(entry).find((key) => key !== ':@' && key !== '#text');
    if (tag === undefined) continue;
    const content = entry[tag];
    elements.push(elementOf(tag, Array.isArray(content) ? content : [], rawAttributes(entry[':@']), scope));
  }
  return elements;
}

function elementOf(tag: string, content: readonly unknown[], raw: ReadonlyMap<string, string>, outer: ReadonlyMap<string, string>): XmlElement {
  // The prefixes this element declares, over those of its ancestors.
  let scope = outer;
  for (const [name, value] of raw) {
    if (name.startsWith('xmlns:')) {
      if (scope === outer) scope = new Map(outer);
      (scope as Map<string, string>).set(name.slice('xmlns:'.length), value);
    }
  }
  const attributes = new Map<string, string>();
  let xsiType: string | undefined;
  for (const [name, value] of raw) {
    const colon = name.indexOf(':');
    if (colon < 0) {
      if (name !== 'xmlns') attributes.set(name, value);
    } else if (name.slice(colon + 1) === 'type' && namespaceOf(name.slice(0, colon), scope) === XSI_NAMESPACE) {
      xsiType = qualifiedType(value, scope);
    }
  }
  const children = elementsOf(content, scope);
  let text = '';
  if (children.length === 0) {
    for (const node of content) {
      const value = typeof node === 'object' && node !== null ? (node as OrderedNode)['#text'] : undefined;
      if (value !== undefined) text += String(value);
    }
  }
  return { name: localName(tag), attributes, xsiType, children, text };
}

function rawAttributes(value: unknown): Map<string, string> {
  const attributes = new Map<string, string>();
  if (typeof value === 'object' && value !== null) {
    for (const [name, raw] of Object.entries(value)) attributes.set(name, String(raw));
  }
  return attributes;
}

/** A prefix's namespace; `xsi` and `xsd` are taken at their word when nothing declares them. */
function namespaceOf(prefix: string, scope: ReadonlyMap<string, string>): string | undefined {
  return scope.get(prefix) ?? (prefix === 'xsi' ? XSI_NAMESPACE : prefix === 'xsd' ? XSD_NAMESPACE : undefined);
}

function qualifiedType(value: string, scope: ReadonlyMap<string, string>): string {
  const colon = value.indexOf(':');
  if (colon < 0) return value;
  const local = value.slice(colon + 1);
  return namespaceOf(value.slice(0, colon), scope) === XSD_NAMESPACE ? `xsd:${local}` : local;
}

function localName(tag: string): string {
  const colon = tag.indexOf(':');
  return colon < 0 ? tag : tag.slice(colon + 1);
}

/** Text made safe inside an element or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
