import type { Logger } from '../../../logging/logger';

/** How many samples of references that named nothing are logged per property. */
const SAMPLES = 3;

/** References of one collection that named nothing (stored as NULL), by property, for one warning each. */
export class UnresolvedReferences {
  private readonly byProperty = new Map<string, { count: number; samples: string[] }>();

  note(property: string, shown: string): void {
    let entry = this.byProperty.get(property);
    if (!entry) this.byProperty.set(property, (entry = { count: 0, samples: [] }));
    entry.count += 1;
    if (entry.samples.length < SAMPLES) entry.samples.push(shown);
  }

  /** Logs them, once per property with a few examples. */
  report(logger: Logger, collection: string): void {
    for (const [property, { count, samples }] of this.byProperty) {
      logger.warn({ event: 'refresh.reference_unresolved', collection, property, count, samples }, 'references to unknown objects stored as NULL');
    }
  }
}
