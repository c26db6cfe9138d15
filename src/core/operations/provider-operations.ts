/**
 * One operation a provider type offers on the objects of one of its collections (ManageIQ's and mistifyio's
 * provider tasks): what it is called, what it takes, how urgent it is and how long it may take.
 */
export interface OperationSpec {
  /** The type's collection whose objects it acts on (`vms`). */
  collection: string;
  /** How the UI's button and the CLI name it (`Stop`). */
  title: string;
  /** A JSON schema of its parameters, an object; none: it takes none. */
  parameters?: Readonly<Record<string, unknown>>;
  /** Among a provider's waiting operations, lower runs first; ties in the order they were asked for. */
  priority: number;
  /** How long it may run before it is aborted and its task ends `timed_out`. */
  timeoutSeconds: number;
  /** Whether it destroys or interrupts something (a delete, a stop): the UI asks before. */
  destructive?: boolean;
}

/** What a provider's operation handler gets. */
export interface OperationRequest {
  /** The object's provider reference (its emsRef). */
  ref: string;
  /**
   * The object's target alias as the inventory stores it (`namespace/name` of a pod whose reference is its uid), for
   * collections that declare one (`targetAlias`): the name a provider that cannot address objects by reference acts
   * on. Absent when the collection declares none, or the stored row lacks one of its parts.
   */
  alias?: string;
  /** Checked against the operation's schema already. */
  parameters: Readonly<Record<string, unknown>>;
  /** Aborts at the operation's deadline or when its task is cancelled; a handler must stop then. */
  signal: AbortSignal;
}

/** What an operation answers: anything the provider said worth keeping on the task (a job id, a new state). */
export type OperationResult = Readonly<Record<string, unknown>>;
