import { child, childText, type XmlElement } from './soap-xml';
import { decodeRef } from './vim-decode';
import type { ManagedObjectReference } from './vim-values';

/** The managed objects a client starts from, and what the server says it is. */
export interface ServiceContent {
  readonly rootFolder: ManagedObjectReference;
  readonly propertyCollector: ManagedObjectReference;
  readonly viewManager: ManagedObjectReference;
  readonly sessionManager: ManagedObjectReference;
  readonly perfManager: ManagedObjectReference | undefined;
  readonly eventManager: ManagedObjectReference | undefined;
  readonly about: {
    readonly fullName: string;
    /** VirtualCenter or HostAgent. */
    readonly apiType: string;
    readonly apiVersion: string;
    readonly instanceUuid: string | undefined;
  };
}

/** The session a Login opened. `key` names it to TerminateSession; it is not the session cookie. */
export interface UserSession {
  readonly key: string;
  readonly userName: string;
  readonly loginTime: string;
}

/** The ServiceContent in RetrieveServiceContent's answer; undefined when a reference it cannot do without is missing. */
export function decodeServiceContent(returnval: XmlElement): ServiceContent | undefined {
  const refOf = (name: string): ManagedObjectReference | undefined => {
    const element = child(returnval, name);
    return element === undefined ? undefined : decodeRef(element);
  };
  const about = child(returnval, 'about');
  const rootFolder = refOf('rootFolder');
  const propertyCollector = refOf('propertyCollector');
  const viewManager = refOf('viewManager');
  const sessionManager = refOf('sessionManager');
  const apiVersion = about === undefined ? undefined : childText(about, 'apiVersion');
  if (!rootFolder || !propertyCollector || !viewManager || !sessionManager || about === undefined || apiVersion === undefined) return undefined;
  return {
    rootFolder, propertyCollector, viewManager, sessionManager, perfManager: refOf('perfManager'), eventManager: refOf('eventManager'),
    about: {
      fullName: childText(about, 'fullName') ?? '', apiType: childText(about, 'apiType') ?? '', apiVersion,
      instanceUuid: childText(about, 'instanceUuid'),
    },
  };
}

export function decodeUserSession(returnval: XmlElement): UserSession {
  return { key: childText(returnval, 'key') ?? '', userName: childText(returnval, 'userName') ?? '', loginTime: childText(returnval, 'loginTime') ?? '' };
}
