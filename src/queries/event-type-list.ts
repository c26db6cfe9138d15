// A module of its own, apart from the event queries so that the API schemas, which the web UI type-checks, reach no
// server code (see .dependency-cruiser.cjs).

/** The most event types one query may ask for. */
export const MAX_EVENT_TYPES = 20;

/** Event types written as a comma-separated list (`vm.power_on,vm.power_off`), without blanks and repeats. */
export function splitEventTypes(list: string): string[] {
  return [...new Set(list.split(',').map((type) => type.trim()).filter((type) => type !== ''))];
}
