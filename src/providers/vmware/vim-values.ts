/** A managed object reference: the object's type (VirtualMachine, HostSystem, ...) and its id (vm-42). */
export interface ManagedObjectReference {
  readonly type: string;
  readonly value: string;
}

/**
 * A vim25 data object (VirtualMachineConfigInfo, GuestNicInfo, an event, ...): its xsi:type where the answer says
 * it, and its fields by name. A field holds a list, as the answer cannot tell a field that is a list of one from a
 * single value without the WSDL; a single value is the list's first. Nested leaves are text (the answer types only
 * property values, not the fields inside them): `fieldNumber` and friends read them.
 */
export interface DataObject {
  readonly type: string | undefined;
  readonly fields: ReadonlyMap<string, readonly PropertyValue[]>;
}

/**
 * A property's value as its xsi:type says: xsd numbers as numbers, xsd:boolean as a boolean, dates as their ISO
 * text, enums and strings as text, ManagedObjectReference as a reference, ArrayOf... as a list (of one, too), and
 * anything else as a data object.
 */
export type PropertyValue = string | number | boolean | ManagedObjectReference | DataObject | readonly PropertyValue[];

export function isManagedObjectReference(value: PropertyValue | undefined): value is ManagedObjectReference {
  return typeof value === 'object' && !Array.isArray(value) && 'value' in value && 'type' in value && !('fields' in value);
}

export function isDataObject(value: PropertyValue | undefined): value is DataObject {
  return typeof value === 'object' && !Array.isArray(value) && 'fields' in value;
}

/** `a` and `b` name the same object. */
export function sameObject(a: ManagedObjectReference, b: ManagedObjectReference): boolean {
  return a.type === b.type && a.value === b.value;
}

/** Every value of a data object's field (none when the field is absent or `object` is not a data object). */
export function fieldValues(object: PropertyValue | undefined, name: string): readonly PropertyValue[] {
  return isDataObject(object) ? object.fields.get(name) ?? [] : [];
}

/** The (first) value of a data object's field. */
export function field(object: PropertyValue | undefined, name: string): PropertyValue | undefined {
  return fieldValues(object, name)[0];
}

/** A field's value as text, when it is text (or a number or boolean, written as text). */
export function fieldText(object: PropertyValue | undefined, name: string): string | undefined {
  const value = field(object, name);
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** A field's value as a number, when it is one (nested numbers arrive as text). */
export function fieldNumber(object: PropertyValue | undefined, name: string): number | undefined {
  const value = field(object, name);
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** A field's value as a reference, when it is one. */
export function fieldRef(object: PropertyValue | undefined, name: string): ManagedObjectReference | undefined {
  const value = field(object, name);
  return isManagedObjectReference(value) ? value : undefined;
}
