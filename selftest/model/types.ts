/**
 * The model cluster as data: what a conformant kind cluster of the reference config looks like, before it is
 * rendered into the tools' output formats. Renderers (render-*.ts) turn this into bundle sections; mutants either
 * change this data and re-render, or post-edit the rendered text.
 */
import type { ApiEvent } from '../../helpers/api/types.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ModelNode {
  readonly name: string;
  readonly role: 'control-plane' | 'worker';
  /** eth0 address on the kind docker bridge (172.18.0.0/16). */
  readonly internalIP: string;
  /** eth0 IPv6 address on the kind docker network (kind creates it dual-stack: fc00:f853:ccd:e793::/64). */
  readonly ipv6: string;
  readonly podCIDR: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ready: boolean;
  readonly kubeletVersion: string;
  /** eth0's own ifindex and the index of its peer in the docker host namespace (`eth0@ifN`). */
  readonly eth0: { readonly index: number; readonly peerIndex: number; readonly mac: string };
  readonly kubeIpvs0: { readonly index: number; readonly mac: string; readonly up: boolean };
  /** Random ports of Docker's embedded DNS that the kind entrypoint rewrites into DOCKER_OUTPUT. */
  readonly dockerDns: { readonly tcpPort: number; readonly udpPort: number };
  /** Stands in for the per-netns pointer term of the kernel's IPVS service hash (order of /proc/net/ip_vs). */
  readonly ipvsHashSalt: number;
  /** Rotation of real-server insertion order on this node, so the rr start differs per node. */
  readonly rrRotation: number;
}

export interface ModelPod {
  readonly namespace: string;
  readonly name: string;
  /** null for a Pending pod that was never scheduled. */
  readonly nodeName: string | null;
  /** For hostNetwork pods this is the node's InternalIP; null for a Pending pod. */
  readonly ip: string | null;
  readonly hostNetwork: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly phase: 'Running' | 'Pending';
  readonly ready: boolean;
  /** Host side of the kindnet ptp veth (pod-network pods only). */
  readonly veth: {
    readonly name: string;
    readonly index: number;
    readonly netnsId: number;
    readonly mac: string;
  } | null;
}

export interface ModelServicePort {
  readonly name: string | null;
  readonly protocol: Protocol;
  readonly port: number;
  readonly targetPort: number;
  readonly nodePort: number | null;
}

export interface ModelService {
  readonly namespace: string;
  readonly name: string;
  readonly type: 'ClusterIP' | 'NodePort';
  readonly clusterIP: string;
  readonly ports: readonly ModelServicePort[];
  /** null for `default/kubernetes` (endpoints maintained by the apiserver). */
  readonly selector: Readonly<Record<string, string>> | null;
  /** EndpointSlice name (generated suffix). */
  readonly sliceName: string;
}

/** A real server kube-proxy keeps at weight 0 after its endpoint went away (graceful termination, §2.14). */
export interface DrainingRealServer {
  readonly node: string;
  readonly protocol: Protocol;
  readonly vip: string;
  readonly vport: number;
  readonly address: string;
  readonly port: number;
  readonly inactConns: number;
}

/** The cluster at one point of the run. */
export interface ModelState {
  readonly label: string;
  readonly takenAt: string;
  readonly pods: readonly ModelPod[];
  readonly draining: readonly DrainingRealServer[];
  readonly events: readonly ApiEvent[];
}

export interface ModelCluster {
  readonly clusterName: string;
  readonly namespace: string;
  readonly kindVersion: string;
  readonly nodeImage: string;
  readonly kindConfig: string;
  readonly serverVersion: string;
  readonly kubeProxyImage: string;
  readonly kernel: string;
  readonly osImage: string;
  readonly containerRuntimeVersion: string;
  readonly podSubnet: string;
  readonly serviceSubnet: string;
  readonly featureGates: Readonly<Record<string, boolean>>;
  /** Mode kube-proxy actually runs (what /proxyMode answers). */
  readonly proxyMode: 'ipvs' | 'iptables';
  /** Mode written in the kube-proxy ConfigMap. */
  readonly configMode: 'ipvs' | 'iptables';
  /** `ipvs.scheduler` in the ConfigMap ("" = rr). */
  readonly configScheduler: string;
  /** Scheduler kube-proxy programs on every virtual server. */
  readonly scheduler: string;
  readonly strictARP: boolean;
  /** The apiserver endpoint behind default/kubernetes. */
  readonly apiserver: { readonly address: string; readonly port: number };
  readonly nodes: readonly ModelNode[];
  readonly services: readonly ModelService[];
  readonly states: readonly ModelState[];
  /** Per-node sysctl values that differ from what the model derives (applied last). */
  readonly sysctlOverrides: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** kube-proxy metrics carry the `ip_family` label from v1.33 on. */
  readonly metricsIpFamilyLabel: boolean;
  readonly createdAt: string;
}
