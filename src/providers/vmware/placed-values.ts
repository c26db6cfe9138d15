import type { PlacedObject } from './vmware-native';
import { isManagedObjectReference, type PropertyValue } from './vim-values';

/** An object's manager reference and name, as every inventory object of it starts. */
export function identity(object: PlacedObject): { emsRef: string; name: string | null } {
  return { emsRef: object.obj.value, name: text(object, 'name') };
}

export function text(object: PlacedObject, path: string): string | null {
  const value = object.properties.get(path);
  return typeof value === 'string' ? value : null;
}

export function number(object: PlacedObject, path: string): number | null {
  const value = object.properties.get(path);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function bool(object: PlacedObject, path: string): boolean | null {
  const value = object.properties.get(path);
  return typeof value === 'boolean' ? value : null;
}

export function refValue(object: PlacedObject, path: string): string | null {
  const value = object.properties.get(path);
  return isManagedObjectReference(value) ? value.value : null;
}

/** The values of a property that is a list of references (a VM's datastores, its networks). */
export function refValues(object: PlacedObject, path: string): string[] {
  const value = object.properties.get(path);
  return (Array.isArray(value) ? value : []).flatMap((item: PropertyValue) => (isManagedObjectReference(item) ? [item.value] : []));
}
