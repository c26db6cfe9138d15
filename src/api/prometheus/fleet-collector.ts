/** What every collector of one scrape works with: the fleet's providers now. */
export interface FleetScrape {
  providers: readonly { id: string; name: string }[];
}

/**
 * Brings some of the fleet's Prometheus metrics up to date when Prometheus scrapes, from the database or Redis.
 * The scrapes of one server never overlap (see ApiMetrics), so a collector may keep state between them.
 */
export interface FleetCollector {
  /** Names the collector in logs and in fleet_metrics_collect_failures_total. */
  readonly name: string;
  collect(scrape: FleetScrape): Promise<void>;
}
