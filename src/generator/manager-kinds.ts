/** A field of a native object the generated parser copies onto its inventory object. */
export interface NativeField {
  /** The field's name in the example API's JSON (snake_case). */
  native: string;
  /** The inventory entity's attribute it fills. */
  attribute: string;
  /** Its TypeScript type in the generated native interface. */
  tsType: 'string' | 'number' | 'boolean';
  /** Its value in the example objects the generated README shows. */
  example: string | number | boolean;
}

/** A reference to another collection's object, by that object's id. */
export interface NativeRef {
  native: string;
  attribute: string;
  /** The inventory collection it points into. */
  target: string;
}

/** One of a manager kind's standard collections, as the generated provider lists, parses and stores it. */
export interface StandardCollection {
  /** The inventory collection's name (the generic inventory API's and the UI's). */
  name: string;
  /** The example API's path segment: GET /api/v1/<path>. */
  path: string;
  /** The SDK entity its objects are stored as. */
  entity: string;
  /** Its native interface's name in the generated code. */
  nativeType: string;
  fields: readonly NativeField[];
  refs: readonly NativeRef[];
  /** Whether a targeted refresh fetches its objects one by one (GET /api/v1/<path>/<id>). */
  targetable: boolean;
  /** Whether the example API has utilization metrics of its objects. */
  metrics: boolean;
}

export type ManagerKind = 'cloud' | 'infra' | 'container';

export const MANAGER_KINDS: readonly ManagerKind[] = ['cloud', 'infra', 'container'];

export function isManagerKind(name: string): name is ManagerKind {
  return (MANAGER_KINDS as readonly string[]).includes(name);
}

const str = (native: string, attribute: string, example: string): NativeField => ({ native, attribute, tsType: 'string', example });
const num = (native: string, attribute: string, example: number): NativeField => ({ native, attribute, tsType: 'number', example });
const bool = (native: string, attribute: string, example: boolean): NativeField => ({ native, attribute, tsType: 'boolean', example });

/**
 * The standard collections of each manager kind, parents first (the order the generated collector lists them in):
 * the ones ManageIQ's provider guide starts a type of that kind with. A generated provider begins with these; its
 * author adds the rest.
 */
export const STANDARD_COLLECTIONS: Readonly<Record<ManagerKind, readonly StandardCollection[]>> = {
  cloud: [
    { name: 'availabilityZones', path: 'zones', entity: 'CloudAvailabilityZone', nativeType: 'NativeZone', fields: [str('state', 'state', 'available')], refs: [], targetable: false, metrics: false },
    {
      name: 'flavors', path: 'flavors', entity: 'CloudFlavor', nativeType: 'NativeFlavor',
      fields: [num('cpus', 'cpus', 2), num('memory_mb', 'memoryMb', 4096), num('root_disk_gb', 'rootDiskGb', 40)], refs: [], targetable: false, metrics: false,
    },
    { name: 'images', path: 'images', entity: 'CloudImage', nativeType: 'NativeImage', fields: [str('os_type', 'osType', 'linux')], refs: [], targetable: false, metrics: false },
    {
      name: 'vms', path: 'vms', entity: 'CloudVm', nativeType: 'NativeVm',
      fields: [str('power_state', 'powerState', 'on'), str('ip_address', 'ipAddress', '10.0.0.5')],
      refs: [{ native: 'flavor_id', attribute: 'flavor', target: 'flavors' }, { native: 'image_id', attribute: 'image', target: 'images' },
        { native: 'zone_id', attribute: 'availabilityZone', target: 'availabilityZones' }],
      targetable: true, metrics: true,
    },
  ],
  infra: [
    { name: 'clusters', path: 'clusters', entity: 'InfraCluster', nativeType: 'NativeCluster', fields: [], refs: [], targetable: false, metrics: false },
    {
      name: 'hosts', path: 'hosts', entity: 'InfraHost', nativeType: 'NativeHost',
      fields: [str('hostname', 'hostname', 'esx-01.example.com'), str('power_state', 'powerState', 'on'), num('cpu_cores', 'cpuCores', 32), num('memory_mb', 'memoryMb', 262144)],
      refs: [{ native: 'cluster_id', attribute: 'cluster', target: 'clusters' }], targetable: true, metrics: true,
    },
    {
      name: 'datastores', path: 'datastores', entity: 'InfraDatastore', nativeType: 'NativeDatastore',
      fields: [str('store_type', 'storeType', 'VMFS'), bool('accessible', 'accessible', true)], refs: [], targetable: false, metrics: false,
    },
    {
      name: 'vms', path: 'vms', entity: 'InfraVm', nativeType: 'NativeVm',
      fields: [str('power_state', 'powerState', 'on'), num('cpus', 'cpus', 4), num('memory_mb', 'memoryMb', 8192), str('guest_os', 'guestOs', 'ubuntu64Guest')],
      refs: [{ native: 'host_id', attribute: 'host', target: 'hosts' }, { native: 'cluster_id', attribute: 'cluster', target: 'clusters' }],
      targetable: true, metrics: true,
    },
  ],
  container: [
    {
      name: 'nodes', path: 'nodes', entity: 'ContainerNode', nativeType: 'NativeNode',
      fields: [bool('ready', 'ready', true), num('cpu_cores', 'cpuCores', 8), str('kubelet_version', 'kubeletVersion', 'v1.30.2')], refs: [], targetable: true, metrics: true,
    },
    { name: 'namespaces', path: 'namespaces', entity: 'ContainerNamespace', nativeType: 'NativeNamespace', fields: [str('phase', 'phase', 'Active')], refs: [], targetable: false, metrics: false },
    {
      name: 'pods', path: 'pods', entity: 'ContainerPod', nativeType: 'NativePod',
      fields: [str('phase', 'phase', 'Running'), str('pod_ip', 'podIp', '10.244.0.12'), str('namespace_name', 'namespaceName', 'default')],
      refs: [{ native: 'node_id', attribute: 'node', target: 'nodes' }, { native: 'namespace_id', attribute: 'namespace', target: 'namespaces' }],
      targetable: true, metrics: true,
    },
    {
      name: 'containers', path: 'containers', entity: 'Container', nativeType: 'NativeContainer',
      fields: [str('image', 'image', 'nginx:1.27'), str('state', 'state', 'running'), num('restart_count', 'restartCount', 0), bool('ready', 'ready', true)],
      refs: [{ native: 'pod_id', attribute: 'pod', target: 'pods' }], targetable: false, metrics: false,
    },
    {
      name: 'services', path: 'services', entity: 'ContainerService', nativeType: 'NativeService',
      fields: [str('service_type', 'serviceType', 'ClusterIP'), str('cluster_ip', 'clusterIp', '10.96.0.20'), str('namespace_name', 'namespaceName', 'default')],
      refs: [{ native: 'namespace_id', attribute: 'namespace', target: 'namespaces' }], targetable: false, metrics: false,
    },
  ],
};
