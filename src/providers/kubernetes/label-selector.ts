import type { V1Service } from '@kubernetes/client-node';
import type { ServicePodLink } from './kubernetes-native';

/** The pods of a namespace with their labels, to match service selectors against. */
export class PodLabels {
  private readonly byNamespace = new Map<string, { uid: string; labels: Readonly<Record<string, string>> }[]>();

  add(namespace: string | undefined, uid: string | undefined, labels: Readonly<Record<string, string>> | undefined): void {
    if (namespace === undefined || uid === undefined || labels === undefined) return;
    let pods = this.byNamespace.get(namespace);
    if (!pods) this.byNamespace.set(namespace, (pods = []));
    pods.push({ uid, labels });
  }

  /**
   * The uids of the pods a service's selector selects: those of its namespace that carry every label of the
   * selector. A service without a selector selects none (its endpoints are managed by hand).
   */
  selectedBy(namespace: string | undefined, selector: Readonly<Record<string, string>> | undefined): string[] {
    if (namespace === undefined || selector === undefined) return [];
    const entries = Object.entries(selector);
    if (entries.length === 0) return [];
    return (this.byNamespace.get(namespace) ?? []).filter((pod) => entries.every(([key, value]) => pod.labels[key] === value)).map((pod) => pod.uid);
  }
}

/** The links of these services to the pods their selectors select. */
export function linksOf(services: readonly V1Service[], pods: PodLabels): ServicePodLink[] {
  return services.flatMap((service) => {
    const uid = service.metadata?.uid;
    if (uid === undefined) return [];
    return pods.selectedBy(service.metadata?.namespace, service.spec?.selector).map((pod) => ({ service: uid, pod }));
  });
}
