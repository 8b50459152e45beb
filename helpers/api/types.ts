/**
 * The typed subset of Kubernetes API objects the suite judges. The live shell converts
 * client-node objects into these (helpers/live/api-snapshot.ts); bundles store them as JSON;
 * the model cluster renders them directly. Keep them plain JSON (no Date, no class instances).
 */

export interface ApiNode {
  readonly name: string;
  readonly role: 'control-plane' | 'worker';
  readonly labels: Readonly<Record<string, string>>;
  readonly podCIDR: string | null;
  readonly podCIDRs: readonly string[];
  readonly internalIP: string | null;
  readonly ready: boolean;
  readonly kubeletVersion: string;
  readonly kernelVersion: string;
  readonly osImage: string;
  readonly containerRuntimeVersion: string;
}

export interface ApiServicePort {
  readonly name: string | null;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly port: number;
  readonly targetPort: number | string;
  readonly nodePort: number | null;
}

export interface ApiService {
  readonly namespace: string;
  readonly name: string;
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** `None` for headless services. */
  readonly clusterIP: string | null;
  readonly clusterIPs: readonly string[];
  readonly ports: readonly ApiServicePort[];
  readonly sessionAffinity: 'None' | 'ClientIP';
  readonly affinityTimeoutSeconds: number | null;
  readonly externalTrafficPolicy: 'Cluster' | 'Local' | null;
  readonly internalTrafficPolicy: 'Cluster' | 'Local' | null;
  readonly selector: Readonly<Record<string, string>> | null;
}

export interface ApiEndpoint {
  readonly addresses: readonly string[];
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName: string | null;
  /** `namespace/name` of the target pod, or null. */
  readonly targetPod: string | null;
}

export interface ApiEndpointSlice {
  readonly namespace: string;
  readonly name: string;
  /** Value of the `kubernetes.io/service-name` label. */
  readonly serviceName: string;
  readonly addressType: 'IPv4' | 'IPv6' | 'FQDN';
  readonly ports: readonly {
    readonly name: string | null;
    readonly port: number;
    readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  }[];
  readonly endpoints: readonly ApiEndpoint[];
}

export interface ApiPod {
  readonly namespace: string;
  readonly name: string;
  readonly nodeName: string | null;
  readonly podIP: string | null;
  readonly podIPs: readonly string[];
  readonly phase: string;
  readonly ready: boolean;
  readonly hostNetwork: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ApiEvent {
  readonly namespace: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly involvedObject: {
    readonly kind: string;
    readonly name: string;
    readonly namespace: string | null;
  };
}

/** Everything read from the API server in one snapshot. */
export interface ApiObjects {
  readonly serverVersion: { readonly gitVersion: string };
  readonly nodes: readonly ApiNode[];
  readonly services: readonly ApiService[];
  readonly endpointSlices: readonly ApiEndpointSlice[];
  readonly pods: readonly ApiPod[];
  /** `data["config.conf"]` of ConfigMap kube-system/kube-proxy (KubeProxyConfiguration YAML), or null if absent. */
  readonly kubeProxyConfig: string | null;
  /** `data.ClusterConfiguration` of ConfigMap kube-system/kubeadm-config (YAML), or null if absent. */
  readonly kubeadmClusterConfiguration: string | null;
  readonly events: readonly ApiEvent[];
}
