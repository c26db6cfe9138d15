import { ref, type SoapObject } from './soap-request';
import type { ManagedObjectReference } from './vim-values';

/** The properties to read of one object type: named paths, or all of them. */
export interface PropertySpec {
  readonly type: string;
  readonly all?: boolean;
  readonly paths?: readonly string[];
}

/** A step from an object to others through one of its properties (a view's `view`, a folder's `childEntity`). */
export interface TraversalSpec {
  readonly name?: string;
  readonly type: string;
  readonly path: string;
  readonly skip?: boolean;
  readonly selectSet?: readonly (TraversalSpec | { readonly selectSpecName: string })[];
}

/** Where the collection starts, and how it goes on from there. */
export interface ObjectSpec {
  readonly obj: ManagedObjectReference;
  /** Leave the starting object out of the answer (a view is a means, not a result). */
  readonly skip?: boolean;
  readonly selectSet?: readonly TraversalSpec[];
}

export interface PropertyFilterSpec {
  readonly propSet: readonly PropertySpec[];
  readonly objectSet: readonly ObjectSpec[];
}

/** The objects a container view holds, themselves (not the view). */
export function containerViewObjectSpec(view: ManagedObjectReference): ObjectSpec {
  return { obj: view, skip: true, selectSet: [{ name: 'view', type: 'ContainerView', path: 'view', skip: false }] };
}

/** The spec as vim25 writes a PropertyFilterSpec, its fields in the schema's order. */
export function encodeFilterSpec(spec: PropertyFilterSpec): SoapObject {
  return {
    propSet: spec.propSet.map((each): SoapObject => ({ type: each.type, all: each.all, pathSet: each.paths })),
    objectSet: spec.objectSet.map((each): SoapObject => ({ obj: ref(each.obj), skip: each.skip, selectSet: each.selectSet?.map(encodeSelection) })),
  };
}

function encodeSelection(selection: TraversalSpec | { readonly selectSpecName: string }): SoapObject {
  if ('selectSpecName' in selection) return { $type: 'SelectionSpec', name: selection.selectSpecName };
  return {
    $type: 'TraversalSpec', name: selection.name, type: selection.type, path: selection.path, skip: selection.skip,
    selectSet: selection.selectSet?.map(encodeSelection),
  };
}
