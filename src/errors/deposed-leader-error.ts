import { FleetError } from './fleet-error';

/**
 * A write the supervisor made as leader was refused: another server has taken the lead since (a newer leadership
 * generation), so this one must stop supervising. Its work is fenced off, not merely late.
 */
export class DeposedLeaderError extends FleetError {
  constructor(generation: string, current: string | undefined) {
    super(`this server no longer leads: it led as generation ${generation}, the fleet is at generation ${current ?? 'unknown'}`);
  }
}
