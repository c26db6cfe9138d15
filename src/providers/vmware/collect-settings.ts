import type { Logger } from '../sdk';

/** What a refresh's collection needs of the provider's config. */
export interface CollectSettings {
  /** The most objects one page of a retrieval holds (RetrievePropertiesEx's maxObjects). */
  pageSize: number;
  logger: Logger;
}
