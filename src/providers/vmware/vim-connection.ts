import type { Agent } from 'node:https';
import { HttpRetryPolicy, InvalidCredentialsError, ProviderApiError, withDeadline } from '../sdk';
import { soapEnvelope, type SoapObject } from './soap-request';
import { child, childrenNamed, childText, parseXml, type XmlElement } from './soap-xml';
import { vimAgent, type VimTlsOptions } from './vim-agent';
import { isPermanentNetworkFailure, translateNetworkFailure } from './vim-errors';
import { VimFaultError } from './vim-fault-error';
import { decodeServiceContent, decodeUserSession, type ServiceContent, type UserSession } from './vim-service-content';
import { sendVimRequest, type VimHttpAnswer } from './vim-transport';
import type { ManagedObjectReference } from './vim-values';

export interface VimConnectionOptions {
  /** vCenter's SDK URL, e.g. https://vcenter.example.com/sdk */
  sdkUrl: string;
  username: string;
  password: string;
  tls: VimTlsOptions;
  /** The longest one call may take (a WaitForUpdatesEx gets its wait on top). */
  timeoutMs: number;
  retry?: HttpRetryPolicy;
}

/** Per call: the caller's signal, and a deadline of its own instead of the connection's. */
export interface VimCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

const SERVICE_INSTANCE: ManagedObjectReference = { type: 'ServiceInstance', value: 'ServiceInstance' };
/** Methods that need no session: the ones that make one. */
const SESSIONLESS_METHODS: ReadonlySet<string> = new Set(['RetrieveServiceContent', 'Login']);
const ENVELOPE = /<([\w-]+:)?Envelope[\s>]/;

/**
 * One vCenter session over SOAP: the API version vCenter names in /sdk/vimServiceVersions.xml, its ServiceContent,
 * the session cookie that Login earns (kept here, sent with every call), and a keep-alive agent of its own with the
 * TLS settings given. Calls log in when there is no session yet, and once more when vCenter answers
 * NotAuthenticated (the session expired or was ended), then retry once. InvalidLogin is the fleet's
 * InvalidCredentialsError, other faults a VimFaultError naming the fault type; the password is sent in Login's body
 * and appears in no message.
 */
export class VimConnection {
  private readonly retry: HttpRetryPolicy;
  private readonly agent: Agent;
  private readonly sdk: URL;
  /** host:port, the server's name in every message. */
  readonly where: string;
  private version: Promise<string> | undefined;
  private content: Promise<ServiceContent> | undefined;
  private cookie: string | undefined;
  private current: UserSession | undefined;
  private loggingIn: Promise<UserSession> | undefined;
  /** Counts logins, so that calls refused together by an ended session log in again once, not once each. */
  private generation = 0;

  constructor(private readonly options: VimConnectionOptions) {
    const sdk = new URL(options.sdkUrl);
    if (sdk.protocol !== 'https:') throw new Error('the SDK URL must be https');
    if (sdk.username !== '' || sdk.password !== '') throw new Error('the SDK URL must not hold credentials: give them apart');
    if (!(options.timeoutMs > 0)) throw new Error('timeoutMs must be greater than 0');
    this.sdk = sdk;
    this.where = `${sdk.hostname}:${sdk.port || '443'}`;
    this.retry = options.retry ?? new HttpRetryPolicy();
    this.agent = vimAgent(options.tls);
  }

  /** The longest one call may take, unless the call says otherwise. */
  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** The session Login opened, while it is open. */
  get session(): UserSession | undefined {
    return this.current;
  }

  /** vCenter's ServiceContent, asked for once per connection. */
  serviceContent(options: VimCallOptions = {}): Promise<ServiceContent> {
    this.content ??= this.invoke('RetrieveServiceContent', SERVICE_INSTANCE, {}, options).then((answer) => {
      const content = answer[0] === undefined ? undefined : decodeServiceContent(answer[0]);
      if (content === undefined) throw new ProviderApiError(`RetrieveServiceContent: ${this.where} answered without the service's managed objects`);
      return content;
    });
    return this.content.catch((error: unknown) => {
      this.content = undefined;
      throw error;
    });
  }

  /** Logs in (again), replacing the session; concurrent callers share one Login. */
  login(options: VimCallOptions = {}): Promise<UserSession> {
    this.loggingIn ??= this.openSession(options).finally(() => { this.loggingIn = undefined; });
    return this.loggingIn;
  }

  /** Ends the session, if there is one; the next call logs in again. */
  async logout(options: VimCallOptions = {}): Promise<void> {
    if (this.current === undefined) return;
    const content = await this.serviceContent(options);
    try {
      await this.invoke('Logout', content.sessionManager, {}, options);
    } finally {
      this.current = undefined;
      this.cookie = undefined;
    }
  }

  /** Logs out (best effort: a server that is gone has no session to end) and closes the connections. */
  async close(options: VimCallOptions = {}): Promise<void> {
    try {
      await this.logout(options).catch(() => undefined);
    } finally {
      this.agent.destroy();
    }
  }

  /**
   * Calls `method` on `target` with `parameters` (in the schema's order) and returns the answer's `returnval`
   * elements (none for a void method, several for one that returns a list).
   */
  async invoke(method: string, target: ManagedObjectReference, parameters: SoapObject, options: VimCallOptions = {}): Promise<readonly XmlElement[]> {
    const needsSession = !SESSIONLESS_METHODS.has(method);
    if (needsSession && this.current === undefined) await this.login(options);
    const generation = this.generation;
    try {
      return await this.send(method, target, parameters, options);
    } catch (error: unknown) {
      if (!(error instanceof VimFaultError) || error.faultType !== 'NotAuthenticated' || !needsSession || method === 'Logout') throw error;
      // The session ended under us (expired, or ended by an administrator): one new Login, one more try.
      if (this.generation === generation) {
        this.current = undefined;
        await this.login(options);
      }
      return this.send(method, target, parameters, options);
    }
  }

  private async openSession(options: VimCallOptions): Promise<UserSession> {
    const content = await this.serviceContent(options);
    this.cookie = undefined;
    const [returnval] = await this.send('Login', content.sessionManager, { userName: this.options.username, password: this.options.password }, options);
    if (returnval === undefined) throw new ProviderApiError(`Login: ${this.where} answered without a session`);
    this.current = decodeUserSession(returnval);
    this.generation += 1;
    return this.current;
  }

  private async send(method: string, target: ManagedObjectReference, parameters: SoapObject, options: VimCallOptions): Promise<readonly XmlElement[]> {
    const version = await this.apiVersion(options);
    const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8', soapaction: `urn:vim25/${version}` };
    if (this.cookie !== undefined) headers.cookie = this.cookie;
    const answer = await this.exchange(method, 'POST', this.sdk, headers, soapEnvelope(method, target, parameters), options);
    if (answer.sessionCookie !== undefined) this.cookie = answer.sessionCookie;
    const body = child(parseXml(answer.body) ?? EMPTY, 'Body');
    if (body === undefined) throw this.notVsphere(method, answer);
    const fault = child(body, 'Fault');
    if (fault !== undefined) throw this.faultError(method, fault);
    const response = body.children[0];
    if (response === undefined || answer.status !== 200) throw this.notVsphere(method, answer);
    return childrenNamed(response, 'returnval');
  }

  /** The vim25 version vCenter serves, which every call names in its SOAPAction; asked for once per connection. */
  private apiVersion(options: VimCallOptions): Promise<string> {
    this.version ??= (async () => {
      const url = new URL(`${this.sdk.pathname.replace(/\/$/, '')}/vimServiceVersions.xml`, this.sdk);
      const answer = await this.exchange('read the API version', 'GET', url, { accept: 'text/xml' }, undefined, options);
      const namespaces = parseXml(answer.body);
      const vim25 = namespaces?.name === 'namespaces' ? childrenNamed(namespaces, 'namespace').find((each) => childText(each, 'name') === 'urn:vim25') : undefined;
      const version = vim25 === undefined ? undefined : childText(vim25, 'version');
      if (answer.status !== 200 || version === undefined || !/^[\w.]+$/.test(version)) throw this.notVsphere('read the API version', answer);
      return version;
    })();
    return this.version.catch((error: unknown) => {
      this.version = undefined;
      throw error;
    });
  }

  /**
   * One HTTP exchange under the retry policy, which judges HTTP answers: a SOAP answer (a fault too) or a failure
   * that asking again cannot change is reported to it as a 200, so only busy or failing servers and networks are
   * asked again.
   */
  private async exchange(
    call: string, method: 'GET' | 'POST', url: URL, headers: Record<string, string>, body: string | undefined, options: VimCallOptions,
  ): Promise<VimHttpAnswer> {
    const deadlineMs = options.timeoutMs ?? this.options.timeoutMs;
    let answer: VimHttpAnswer | undefined;
    let permanent: unknown;
    let attemptSignal: AbortSignal | undefined;
    const attempt = async (): Promise<Response> => {
      attemptSignal = withDeadline(options.signal, deadlineMs);
      try {
        answer = await sendVimRequest({ method, url, headers, body, agent: this.agent, signal: attemptSignal });
      } catch (error: unknown) {
        if (!isPermanentNetworkFailure(error)) throw error;
        permanent = error;
        return new Response(null, { status: 200 });
      }
      return ENVELOPE.test(answer.body) ? new Response(null, { status: 200 }) : new Response(null, { status: answer.status, headers: answer.headers });
    };
    const failure = (error: unknown): ProviderApiError => translateNetworkFailure(error, call, this.where, {
      deadlineMs, aborted: options.signal?.aborted === true, expired: attemptSignal?.aborted === true,
    });
    try {
      await this.retry.send(call, attempt, options.signal);
    } catch (error: unknown) {
      throw failure(error);
    }
    if (permanent !== undefined) throw failure(permanent);
    if (answer === undefined) throw new ProviderApiError(`${call}: no answer from ${this.where}`);
    return answer;
  }

  private faultError(call: string, fault: XmlElement): Error {
    const detail = child(fault, 'detail')?.children[0];
    const type = detail?.xsiType ?? detail?.name.replace(/Fault$/, '') ?? 'unknown fault';
    const message = this.scrub(childText(fault, 'faultstring') ?? '').slice(0, 500);
    if (type === 'InvalidLogin') {
      return new InvalidCredentialsError(`vCenter at ${this.where} refused the user name or password (InvalidLogin)`);
    }
    return new VimFaultError(`${call}: vCenter at ${this.where} answered with a fault: ${type}${message === '' ? '' : `: ${message}`}`, type);
  }

  private notVsphere(call: string, answer: VimHttpAnswer): ProviderApiError {
    const type = answer.contentType === '' ? 'no content type' : answer.contentType.split(';', 1)[0];
    return new ProviderApiError(
      `${call}: ${this.where} did not answer as a vSphere SDK endpoint (HTTP ${answer.status}, ${type}); is ${this.sdk.pathname} vCenter's SDK path (usually /sdk)?`,
      answer.status,
    );
  }

  /** A server's fault message with the password cut out, should a server ever quote it back. */
  private scrub(text: string): string {
    const { password } = this.options;
    return password.length > 0 ? text.split(password).join('***') : text;
  }
}

const EMPTY: XmlElement = { name: '', attributes: new Map(), xsiType: undefined, children: [], text: '' };
