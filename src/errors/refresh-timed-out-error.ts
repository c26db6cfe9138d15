import { FleetError } from './fleet-error';

/**
 * A refresh passed its deadline and was aborted, nothing of it kept. Retrying at once would hang as long again on
 * a provider that stopped answering: what it was asked waits for the next request instead.
 */
export class RefreshTimedOutError extends FleetError {}
