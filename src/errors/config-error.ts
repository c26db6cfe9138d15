import { FleetError } from './fleet-error';

/** The fleet's own configuration is invalid; lists every problem at once. */
export class ConfigError extends FleetError {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
