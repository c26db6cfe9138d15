/** Objects as the Awesome Cloud API returns them (its own field names). */
export interface DemoZone { id: string; name: string; state: string }
export interface DemoFlavor { id: string; name: string; vcpus: number; ram_mb: number; disk_gb: number; extra_specs?: Record<string, unknown> }
export interface DemoImage { id: string; name: string; os_type: string; size_bytes: number; parent_image_id: string | null; visibility?: string }
export interface DemoSecurityGroup { id: string; name: string; description: string; rules?: { protocol: string; port: number }[] }
export interface DemoHost { id: string; name: string; zone_id: string | null; cpu_cores: number; memory_mb: number }
export interface DemoVm {
  id: string; uuid: string; name: string; power_state: string; flavor_id: string | null; image_id: string | null;
  zone_id: string | null; host_id: string | null; boot_volume_id: string | null; private_ip: string | null; launched_at: string | null;
  security_group_ids?: string[]; tags?: Record<string, string>;
}
export interface DemoVolume {
  id: string; name: string; size_gb: number; status: string; attached_vm_id: string | null; device: string | null; zone_id: string | null;
}

/** An event of the cloud's event stream: a change it made (or an alarm it raised) to one object. */
export interface DemoNativeEvent { id: number; type: string; at: string; resource_type: string; resource_id: string }

/** One object's utilization samples as the metrics API serves them: parallel arrays, one per counter. */
export interface DemoNativeMetricSeries { id: string; timestamps: number[]; values: Record<string, number[]> }
export interface DemoNativeMetrics { interval_seconds: number; series: DemoNativeMetricSeries[] }

/** The API's collections, by their URL names, and what they hold. */
export interface DemoNativeCollections {
  zones: DemoZone;
  flavors: DemoFlavor;
  images: DemoImage;
  security_groups: DemoSecurityGroup;
  hosts: DemoHost;
  vms: DemoVm;
  volumes: DemoVolume;
}
export type DemoNativeName = keyof DemoNativeCollections;

/** One page of one collection, as the collector hands it to the parser. */
export type DemoPage = { [K in DemoNativeName]: { collection: K; items: DemoNativeCollections[K][] } }[DemoNativeName];
