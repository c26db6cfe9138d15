import { ProviderApiError } from '../sdk';
import { decodeRetrieveResult, decodeUpdateSet, type ObjectContent, type RetrieveResult, type UpdateSet } from './property-collector-answers';
import { encodeFilterSpec, type PropertyFilterSpec } from './property-filter-spec';
import { retrievePages } from './property-pages';
import { ref, type SoapObject } from './soap-request';
import { decodeObject, decodeRef } from './vim-decode';
import { VimConnection, type VimCallOptions, type VimConnectionOptions } from './vim-connection';
import { VimFaultError } from './vim-fault-error';
import { decodeEvent, encodeEventFilter, type EventFilterSpec, type VimEvent } from './vim-events';
import {
  decodeMetricId, decodePerfCounter, decodePerfEntityMetric, encodePerfQuerySpec,
  type PerfCounterInfo, type PerfEntityMetric, type PerfMetricId, type PerfQuerySpec,
} from './vim-perf';
import type { ServiceContent, UserSession } from './vim-service-content';
import type { ManagedObjectReference, PropertyValue } from './vim-values';

/**
 * The vSphere API calls the vmware provider makes, typed: views, the PropertyCollector (paged retrieval and
 * update filters), event history collectors and the PerformanceManager. Sessions, faults, TLS and deadlines are the
 * connection's (see VimConnection); every call takes an AbortSignal and may set its own deadline.
 */
export class VimClient {
  readonly connection: VimConnection;

  constructor(options: VimConnectionOptions) {
    this.connection = new VimConnection(options);
  }

  serviceContent(options?: VimCallOptions): Promise<ServiceContent> {
    return this.connection.serviceContent(options);
  }

  /** Logs in; a wrong user name or password is an InvalidCredentialsError. Other calls log in by themselves. */
  login(options?: VimCallOptions): Promise<UserSession> {
    return this.connection.login(options);
  }

  logout(options?: VimCallOptions): Promise<void> {
    return this.connection.logout(options);
  }

  /** Logs out and closes the connections. */
  close(options?: VimCallOptions): Promise<void> {
    return this.connection.close(options);
  }

  /** A view of the objects of `types` in `container` (and below it, when `recursive`), kept current by vCenter. */
  async createContainerView(container: ManagedObjectReference, types: readonly string[], recursive: boolean, options?: VimCallOptions): Promise<ManagedObjectReference> {
    const { viewManager } = await this.serviceContent(options);
    const [view] = await this.connection.invoke('CreateContainerView', viewManager, { container: ref(container), type: types, recursive }, options);
    if (view === undefined) throw new ProviderApiError('CreateContainerView: the answer names no view');
    return decodeRef(view);
  }

  async destroyView(view: ManagedObjectReference, options?: VimCallOptions): Promise<void> {
    await this.connection.invoke('DestroyView', view, {}, options);
  }

  /** The first page of `spec`'s objects, at most `maxObjects` of them (vCenter may send fewer). */
  async retrievePropertiesEx(spec: PropertyFilterSpec, maxObjects: number | undefined, options?: VimCallOptions): Promise<RetrieveResult> {
    return this.retrieve('RetrievePropertiesEx', { specSet: encodeFilterSpec(spec), options: { maxObjects } }, options);
  }

  /** The page after the one that gave `token`. */
  async continueRetrievePropertiesEx(token: string, options?: VimCallOptions): Promise<RetrieveResult> {
    return this.retrieve('ContinueRetrievePropertiesEx', { token }, options);
  }

  async cancelRetrievePropertiesEx(token: string, options?: VimCallOptions): Promise<void> {
    const { propertyCollector } = await this.serviceContent(options);
    await this.connection.invoke('CancelRetrievePropertiesEx', propertyCollector, { token }, options);
  }

  /** Every page of `spec`'s objects, `maxObjects` at most each, following the continuation token to its end. */
  retrieveAll(spec: PropertyFilterSpec, maxObjects: number | undefined, options?: VimCallOptions): AsyncGenerator<readonly ObjectContent[], void, undefined> {
    return retrievePages({
      first: () => this.retrievePropertiesEx(spec, maxObjects, options),
      next: (token) => this.continueRetrievePropertiesEx(token, options),
      cancel: (token) => this.cancelRetrievePropertiesEx(token, options),
    });
  }

  /** A filter of this session's PropertyCollector: WaitForUpdatesEx reports changes to what `spec` covers. */
  async createFilter(spec: PropertyFilterSpec, partialUpdates: boolean, options?: VimCallOptions): Promise<ManagedObjectReference> {
    const { propertyCollector } = await this.serviceContent(options);
    const [filter] = await this.connection.invoke('CreateFilter', propertyCollector, { spec: encodeFilterSpec(spec), partialUpdates }, options);
    if (filter === undefined) throw new ProviderApiError('CreateFilter: the answer names no filter');
    return decodeRef(filter);
  }

  async destroyPropertyFilter(filter: ManagedObjectReference, options?: VimCallOptions): Promise<void> {
    await this.connection.invoke('DestroyPropertyFilter', filter, {}, options);
  }

  /**
   * The updates of this session's filters since `version` ('' for everything they cover, as `enter` updates), or
   * null when none came within `maxWaitSeconds`. The call's deadline is the wait plus the connection's timeout.
   */
  async waitForUpdatesEx(version: string, maxWaitSeconds: number, options: VimCallOptions & { maxObjectUpdates?: number } = {}): Promise<UpdateSet | null> {
    const { propertyCollector } = await this.serviceContent(options);
    const timeoutMs = options.timeoutMs ?? maxWaitSeconds * 1000 + this.connection.timeoutMs;
    const [returnval] = await this.connection.invoke('WaitForUpdatesEx', propertyCollector, {
      version, options: { maxWaitSeconds, maxObjectUpdates: options.maxObjectUpdates },
    }, { ...options, timeoutMs });
    return returnval === undefined ? null : decodeUpdateSet(returnval);
  }

  /** An event history collector over the events `filter` selects, read from the oldest with readNextEvents. */
  async createCollectorForEvents(filter: EventFilterSpec, options?: VimCallOptions): Promise<ManagedObjectReference> {
    const { eventManager } = await this.serviceContent(options);
    if (eventManager === undefined) throw new ProviderApiError(`CreateCollectorForEvents: ${this.connection.where} has no EventManager`);
    const [collector] = await this.connection.invoke('CreateCollectorForEvents', eventManager, { filter: encodeEventFilter(filter) }, options);
    if (collector === undefined) throw new ProviderApiError('CreateCollectorForEvents: the answer names no collector');
    return decodeRef(collector);
  }

  /** The next `maxCount` events of the collector, oldest first; none once it has read them all. */
  async readNextEvents(collector: ManagedObjectReference, maxCount: number, options?: VimCallOptions): Promise<VimEvent[]> {
    const answer = await this.connection.invoke('ReadNextEvents', collector, { maxCount }, options);
    return answer.map((element) => decodeEvent(decodeObject(element))).filter((event): event is VimEvent => event !== undefined);
  }

  /** The newest events `filter` selects (at most its maxCount), with no collector: nothing is left in the session. */
  async queryEvents(filter: EventFilterSpec, options?: VimCallOptions): Promise<VimEvent[]> {
    const { eventManager } = await this.serviceContent(options);
    if (eventManager === undefined) throw new ProviderApiError(`QueryEvents: ${this.connection.where} has no EventManager`);
    const answer = await this.connection.invoke('QueryEvents', eventManager, { filter: encodeEventFilter(filter) }, options);
    return answer.map((element) => decodeEvent(decodeObject(element))).filter((event): event is VimEvent => event !== undefined);
  }

  /** How many events the collector's latestPage holds (vCenter's default is 10). */
  async setCollectorPageSize(collector: ManagedObjectReference, maxCount: number, options?: VimCallOptions): Promise<void> {
    await this.connection.invoke('SetCollectorPageSize', collector, { maxCount }, options);
  }

  /** Moves the collector's reading position to its oldest event. */
  async rewindCollector(collector: ManagedObjectReference, options?: VimCallOptions): Promise<void> {
    await this.connection.invoke('RewindCollector', collector, {}, options);
  }

  async destroyCollector(collector: ManagedObjectReference, options?: VimCallOptions): Promise<void> {
    await this.connection.invoke('DestroyCollector', collector, {}, options);
  }

  /** Every performance counter vCenter has (the PerformanceManager's perfCounter property). */
  async perfCounters(options?: VimCallOptions): Promise<PerfCounterInfo[]> {
    const perfManager = await this.perfManager(options);
    const counters = await this.property(perfManager, 'PerformanceManager', 'perfCounter', options);
    return (Array.isArray(counters) ? counters : []).map(decodePerfCounter).filter((counter): counter is PerfCounterInfo => counter !== undefined);
  }

  /** The counters of these keys. */
  async queryPerfCounter(counterIds: readonly number[], options?: VimCallOptions): Promise<PerfCounterInfo[]> {
    const answer = await this.connection.invoke('QueryPerfCounter', await this.perfManager(options), { counterId: counterIds }, options);
    return answer.map((element) => decodePerfCounter(decodeObject(element))).filter((counter): counter is PerfCounterInfo => counter !== undefined);
  }

  /** The metrics `entity` has samples of at `intervalId` (20: realtime). */
  async queryAvailablePerfMetric(entity: ManagedObjectReference, intervalId: number | undefined, options?: VimCallOptions): Promise<PerfMetricId[]> {
    const answer = await this.connection.invoke('QueryAvailablePerfMetric', await this.perfManager(options), { entity: ref(entity), intervalId }, options);
    return answer.map(decodeMetricId);
  }

  /** Samples of each spec's entity and metrics, in the order of the specs. */
  async queryPerf(specs: readonly PerfQuerySpec[], options?: VimCallOptions): Promise<PerfEntityMetric[]> {
    const answer = await this.connection.invoke('QueryPerf', await this.perfManager(options), { querySpec: specs.map(encodePerfQuerySpec) }, options);
    return answer.map(decodePerfEntityMetric);
  }

  /**
   * Calls a task method (PowerOnVM_Task, Destroy_Task, ...) on `target`: vCenter answers at once with the Task it
   * runs the work as, which followTask follows to its end.
   */
  async startTask(method: string, target: ManagedObjectReference, parameters: SoapObject, options?: VimCallOptions): Promise<ManagedObjectReference> {
    const [task] = await this.connection.invoke(method, target, parameters, options);
    if (task === undefined) throw new ProviderApiError(`${method}: the answer names no task`);
    return decodeRef(task);
  }

  /** Asks vCenter to cancel a task; it refuses one whose info says it is not cancelable, or that has ended. */
  async cancelTask(task: ManagedObjectReference, options?: VimCallOptions): Promise<void> {
    await this.connection.invoke('CancelTask', task, {}, options);
  }

  /** One property of one object. */
  async property(obj: ManagedObjectReference, type: string, path: string, options?: VimCallOptions): Promise<PropertyValue | undefined> {
    const result = await this.retrievePropertiesEx({ propSet: [{ type, paths: [path] }], objectSet: [{ obj }] }, undefined, options);
    return result.objects[0]?.properties.get(path);
  }

  private async perfManager(options?: VimCallOptions): Promise<ManagedObjectReference> {
    const { perfManager } = await this.serviceContent(options);
    if (perfManager === undefined) throw new ProviderApiError(`${this.connection.where} has no PerformanceManager`);
    return perfManager;
  }

  /**
   * A page of a retrieval. vCenter reports an ended session as a NotAuthenticated fault, which the connection
   * handles; vcsim reports it as a NotAuthenticated missing property of every object instead: read alike, one new
   * Login and one more try.
   */
  private async retrieve(method: string, parameters: SoapObject, options?: VimCallOptions): Promise<RetrieveResult> {
    const { propertyCollector } = await this.serviceContent(options);
    const once = async (): Promise<RetrieveResult> => decodeRetrieveResult((await this.connection.invoke(method, propertyCollector, parameters, options))[0]);
    const first = await once();
    if (!unauthenticated(first)) return first;
    await this.connection.login(options);
    const second = await once();
    if (unauthenticated(second)) throw new VimFaultError(`${method}: vCenter at ${this.connection.where} answered NotAuthenticated for every object`, 'NotAuthenticated');
    return second;
  }
}

function unauthenticated(result: RetrieveResult): boolean {
  return result.objects.length > 0 && result.objects.every((object) => object.properties.size === 0
    && object.missing.length > 0 && object.missing.every((missing) => missing.faultType === 'NotAuthenticated'));
}
