import type {
  CoreV1Event,
  V1ConfigMap,
  V1EndpointSlice,
  V1Node,
  V1NodeCondition,
  V1Pod,
  V1PodCondition,
  V1Service,
  VersionInfo,
} from '@kubernetes/client-node';
import type {
  ApiEndpointSlice,
  ApiEvent,
  ApiNode,
  ApiObjects,
  ApiPod,
  ApiService,
  ApiServicePort,
} from '../api/types.ts';
import type { KubeApiLike } from './kube-api.ts';

type Protocol = 'TCP' | 'UDP' | 'SCTP';

function protocol(p: string | undefined): Protocol {
  // The API defaults an unset protocol to TCP.
  return p === 'UDP' || p === 'SCTP' ? p : 'TCP';
}

function conditionTrue(
  conditions: readonly (V1NodeCondition | V1PodCondition)[] | undefined,
  type: string,
): boolean {
  return conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}

function labels(l: Record<string, string> | undefined): Record<string, string> {
  return { ...(l ?? {}) };
}

/** client-node V1Node → ApiNode. Role from the kubeadm `node-role.kubernetes.io/control-plane` label. */
export function toApiNode(n: V1Node): ApiNode {
  const l = labels(n.metadata?.labels);
  const info = n.status?.nodeInfo;
  return {
    name: n.metadata?.name ?? '',
    role: 'node-role.kubernetes.io/control-plane' in l ? 'control-plane' : 'worker',
    labels: l,
    podCIDR: n.spec?.podCIDR ?? null,
    podCIDRs: [...(n.spec?.podCIDRs ?? [])],
    internalIP: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? null,
    ready: conditionTrue(n.status?.conditions, 'Ready'),
    kubeletVersion: info?.kubeletVersion ?? '',
    kernelVersion: info?.kernelVersion ?? '',
    osImage: info?.osImage ?? '',
    containerRuntimeVersion: info?.containerRuntimeVersion ?? '',
  };
}

const SERVICE_TYPES = new Set(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']);

/** client-node V1Service → ApiService (API defaults filled in where the field may be unset). */
export function toApiService(s: V1Service): ApiService {
  const spec = s.spec ?? {};
  const type =
    spec.type !== undefined && SERVICE_TYPES.has(spec.type) ? (spec.type as ApiService['type']) : 'ClusterIP';
  const ports: ApiServicePort[] = (spec.ports ?? []).map((p) => ({
    name: p.name ?? null,
    protocol: protocol(p.protocol),
    port: p.port,
    // The API defaults targetPort to port.
    targetPort: p.targetPort ?? p.port,
    nodePort: p.nodePort ?? null,
  }));
  const policy = (v: string | undefined): 'Cluster' | 'Local' | null =>
    v === 'Cluster' || v === 'Local' ? v : null;
  return {
    namespace: s.metadata?.namespace ?? '',
    name: s.metadata?.name ?? '',
    type,
    clusterIP: spec.clusterIP ?? null,
    clusterIPs: [...(spec.clusterIPs ?? [])],
    ports,
    sessionAffinity: spec.sessionAffinity === 'ClientIP' ? 'ClientIP' : 'None',
    affinityTimeoutSeconds: spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? null,
    externalTrafficPolicy: policy(spec.externalTrafficPolicy),
    internalTrafficPolicy: policy(spec.internalTrafficPolicy),
    selector: spec.selector ? { ...spec.selector } : null,
  };
}

/**
 * client-node V1EndpointSlice → ApiEndpointSlice. Unset conditions are read the way the API
 * documents them (EndpointConditions) and kube-proxy reads them (pkg/proxy/endpointslicecache.go):
 * ready and serving each default to true on their own, terminating to false.
 */
export function toApiEndpointSlice(e: V1EndpointSlice): ApiEndpointSlice {
  const addressType = e.addressType === 'IPv6' || e.addressType === 'FQDN' ? e.addressType : 'IPv4';
  return {
    namespace: e.metadata?.namespace ?? '',
    name: e.metadata?.name ?? '',
    serviceName: e.metadata?.labels?.['kubernetes.io/service-name'] ?? '',
    addressType,
    ports: (e.ports ?? []).map((p) => ({
      name: p.name ?? null,
      port: p.port ?? 0,
      protocol: protocol(p.protocol),
    })),
    endpoints: (e.endpoints ?? []).map((ep) => {
      const ready = ep.conditions?.ready ?? true;
      const ref = ep.targetRef;
      return {
        addresses: [...ep.addresses],
        ready,
        // Not `?? ready`: a not-ready endpoint with serving unset is still serving (nil means true).
        serving: ep.conditions?.serving ?? true,
        terminating: ep.conditions?.terminating ?? false,
        nodeName: ep.nodeName ?? null,
        targetPod:
          ref?.kind === 'Pod' && ref.name
            ? `${ref.namespace ?? e.metadata?.namespace ?? ''}/${ref.name}`
            : null,
      };
    }),
  };
}

/** client-node V1Pod → ApiPod. */
export function toApiPod(p: V1Pod): ApiPod {
  return {
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
    nodeName: p.spec?.nodeName ?? null,
    podIP: p.status?.podIP ?? null,
    podIPs: (p.status?.podIPs ?? []).map((i) => i.ip),
    phase: p.status?.phase ?? 'Unknown',
    ready: conditionTrue(p.status?.conditions, 'Ready'),
    hostNetwork: p.spec?.hostNetwork ?? false,
    labels: labels(p.metadata?.labels),
  };
}

/** client-node CoreV1Event → ApiEvent. */
export function toApiEvent(e: CoreV1Event): ApiEvent {
  return {
    namespace: e.metadata?.namespace ?? '',
    type: e.type ?? '',
    reason: e.reason ?? '',
    message: e.message ?? '',
    involvedObject: {
      kind: e.involvedObject.kind ?? '',
      name: e.involvedObject.name ?? '',
      namespace: e.involvedObject.namespace ?? null,
    },
  };
}

/** One data key of a ConfigMap, or null when the ConfigMap or the key is absent. */
export function configMapKey(cm: V1ConfigMap | null, key: string): string | null {
  return cm?.data?.[key] ?? null;
}

/** The raw answers of one API snapshot, before conversion. */
export interface RawApiObjects {
  readonly version: VersionInfo;
  readonly nodes: readonly V1Node[];
  readonly services: readonly V1Service[];
  readonly endpointSlices: readonly V1EndpointSlice[];
  readonly pods: readonly V1Pod[];
  readonly kubeProxy: V1ConfigMap | null;
  readonly kubeadm: V1ConfigMap | null;
  readonly events: readonly CoreV1Event[];
}

const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T) =>
    key(a).localeCompare(key(b));

/** Converts the raw answers into ApiObjects, sorted by namespace/name so bundles diff cleanly. Pure. */
export function toApiObjects(raw: RawApiObjects): ApiObjects {
  const nsName = (o: { namespace: string; name: string }) => `${o.namespace}/${o.name}`;
  return {
    serverVersion: { gitVersion: raw.version.gitVersion },
    nodes: raw.nodes.map(toApiNode).sort(byKey((n) => n.name)),
    services: raw.services.map(toApiService).sort(byKey(nsName)),
    endpointSlices: raw.endpointSlices.map(toApiEndpointSlice).sort(byKey(nsName)),
    pods: raw.pods.map(toApiPod).sort(byKey(nsName)),
    kubeProxyConfig: configMapKey(raw.kubeProxy, 'config.conf'),
    kubeadmClusterConfiguration: configMapKey(raw.kubeadm, 'ClusterConfiguration'),
    events: raw.events.map(toApiEvent),
  };
}

/** Reads every object a snapshot holds (8 API calls, each with its own deadline). */
export async function readApiObjects(api: KubeApiLike): Promise<ApiObjects> {
  const [version, nodes, services, endpointSlices, pods, kubeProxy, kubeadm, events] = await Promise.all([
    api.serverVersion(),
    api.listNodes(),
    api.listServices(),
    api.listEndpointSlices(),
    api.listPods(),
    api.readConfigMap('kube-system', 'kube-proxy'),
    api.readConfigMap('kube-system', 'kubeadm-config'),
    api.listEvents(),
  ]);
  return toApiObjects({
    version,
    nodes: nodes.items,
    services: services.items,
    endpointSlices: endpointSlices.items,
    pods: pods.items,
    kubeProxy,
    kubeadm,
    events: events.items,
  });
}
