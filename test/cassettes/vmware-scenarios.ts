/**
 * The vCenter a vmware cassette recorded, as its tests need to know it: how the provider was configured, and what
 * vcsim held when the recording began (read through a session of the recorder's own), names sorted.
 */
export interface VcenterScenario {
  username: string;
  pageSize: number;
  timeoutSeconds: number;
  clusters: string[];
  hosts: string[];
  datastores: string[];
  networks: string[];
  vms: string[];
}

/** The vmware cassettes, by file name (test/cassettes/vmware/<name>.json). */
export const VMWARE_CASSETTES = {
  continuePages: 'vmware/continue-pages',
  faultMidPage: 'vmware/fault-mid-page',
  sessionExpired: 'vmware/session-expired',
  slowAnswer: 'vmware/slow-answer',
} as const;
