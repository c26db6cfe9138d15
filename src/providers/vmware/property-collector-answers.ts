import { child, childrenNamed, childText, type XmlElement } from './soap-xml';
import { decodeRef, decodeValue } from './vim-decode';
import type { ManagedObjectReference, PropertyValue } from './vim-values';

/** A property the server could not read for an object, and the fault's type that says why (NoPermission, ...). */
export interface MissingProperty {
  readonly path: string;
  readonly faultType: string;
}

/** One object of a RetrievePropertiesEx answer: its reference and the properties asked for that have a value. */
export interface ObjectContent {
  readonly obj: ManagedObjectReference;
  readonly properties: ReadonlyMap<string, PropertyValue>;
  readonly missing: readonly MissingProperty[];
}

/** One page: its objects, and the token that asks for the next (none on the last page). */
export interface RetrieveResult {
  readonly objects: readonly ObjectContent[];
  readonly token: string | undefined;
}

/** A change to one property: a new value (assign, add), or none (remove, indirectRemove). */
export interface PropertyChange {
  readonly name: string;
  readonly op: 'add' | 'remove' | 'assign' | 'indirectRemove';
  readonly value: PropertyValue | undefined;
}

/** What happened to one object a filter covers: it entered the filter's set, changed, or left it. */
export interface ObjectUpdate {
  readonly kind: 'enter' | 'modify' | 'leave';
  readonly obj: ManagedObjectReference;
  readonly changes: readonly PropertyChange[];
  readonly missing: readonly MissingProperty[];
}

export interface PropertyFilterUpdate {
  readonly filter: ManagedObjectReference;
  readonly objects: readonly ObjectUpdate[];
}

/** An answer of WaitForUpdatesEx: the version to wait from next, and the updates since the version waited from. */
export interface UpdateSet {
  readonly version: string;
  /** More updates are ready: wait again from `version` at once. */
  readonly truncated: boolean;
  readonly filters: readonly PropertyFilterUpdate[];
}

const CHANGE_OPS: ReadonlySet<string> = new Set(['add', 'remove', 'assign', 'indirectRemove']);
const UPDATE_KINDS: ReadonlySet<string> = new Set(['enter', 'modify', 'leave']);

export function decodeRetrieveResult(returnval: XmlElement | undefined): RetrieveResult {
  if (returnval === undefined) return { objects: [], token: undefined };
  const token = childText(returnval, 'token');
  return { objects: childrenNamed(returnval, 'objects').map(decodeObjectContent), token: token === '' ? undefined : token };
}

export function decodeObjectContent(element: XmlElement): ObjectContent {
  const obj = child(element, 'obj');
  const properties = new Map<string, PropertyValue>();
  for (const property of childrenNamed(element, 'propSet')) {
    const name = childText(property, 'name');
    const value = child(property, 'val');
    if (name !== undefined && value !== undefined) properties.set(name, decodeValue(value));
  }
  return { obj: obj === undefined ? { type: '', value: '' } : decodeRef(obj), properties, missing: childrenNamed(element, 'missingSet').map(decodeMissing) };
}

export function decodeUpdateSet(returnval: XmlElement): UpdateSet {
  return {
    version: childText(returnval, 'version') ?? '',
    truncated: childText(returnval, 'truncated') === 'true',
    filters: childrenNamed(returnval, 'filterSet').map((filterSet): PropertyFilterUpdate => {
      const filter = child(filterSet, 'filter');
      return { filter: filter === undefined ? { type: '', value: '' } : decodeRef(filter), objects: childrenNamed(filterSet, 'objectSet').map(decodeObjectUpdate) };
    }),
  };
}

function decodeObjectUpdate(element: XmlElement): ObjectUpdate {
  const kind = childText(element, 'kind') ?? '';
  const obj = child(element, 'obj');
  return {
    kind: UPDATE_KINDS.has(kind) ? (kind as ObjectUpdate['kind']) : 'modify',
    obj: obj === undefined ? { type: '', value: '' } : decodeRef(obj),
    changes: childrenNamed(element, 'changeSet').map((change): PropertyChange => {
      const op = childText(change, 'op') ?? '';
      const value = child(change, 'val');
      return {
        name: childText(change, 'name') ?? '',
        op: CHANGE_OPS.has(op) ? (op as PropertyChange['op']) : 'assign',
        value: value === undefined ? undefined : decodeValue(value),
      };
    }),
    missing: childrenNamed(element, 'missingSet').map(decodeMissing),
  };
}

function decodeMissing(element: XmlElement): MissingProperty {
  const fault = child(child(element, 'fault') ?? element, 'fault');
  return { path: childText(element, 'path') ?? '', faultType: fault?.xsiType ?? fault?.name ?? 'unknown fault' };
}
