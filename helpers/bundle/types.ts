import type { ApiObjects } from '../api/types.ts';

/**
 * The observation bundle: every raw observation of one run (live, model or mutant) in one JSON
 * document. The suites judge only what is in here, so a live run and a replay give the same
 * verdicts. Raw tool output is kept exactly as printed; parsing happens at judgement time.
 * No kubeconfig, tokens or certificates ever go in here.
 */
export const BUNDLE_FORMAT_VERSION = 1;

/** What one exec per node collects; `helpers/live/node-snapshot.ts` owns the script. */
export const NODE_SECTIONS = [
  'proc-ip-vs', // cat /proc/net/ip_vs (the kind node image has no ipvsadm)
  'iptables-save', // iptables-save (same backend as kube-proxy)
  'ip6tables-save',
  'ipset-save', // ipset save, run in the kube-proxy pod on that node (no ipset in the node image)
  'ip-addr', // ip -d -j addr show (-d: link kind, so kube-ipvs0 reads as dummy)
  'sysctl', // sysctl <the keys in NODE_SYSCTL_KEYS and per-interface arp_*>
  'proxy-mode', // curl 127.0.0.1:10249/proxyMode
  'metrics', // curl 127.0.0.1:10249/metrics (kube-proxy)
  'kernel', // uname -r
] as const;
export type NodeSectionName = (typeof NODE_SECTIONS)[number];

export type Section =
  | { readonly status: 'ok'; readonly command: string; readonly text: string }
  | { readonly status: 'absent'; readonly command: string; readonly reason: string };

export interface NodeSnapshot {
  readonly node: string;
  readonly sections: Readonly<Record<NodeSectionName, Section>>;
}

/** One observation of the whole cluster at a point of the run. */
export interface Snapshot {
  /** `initial` after deploy; `after-scale-down` after the echo Deployment was scaled down; `at-failure` (best effort, never judged) when a live stage failed. */
  readonly label: string;
  readonly takenAt: string;
  readonly api: ApiObjects;
  readonly nodes: readonly NodeSnapshot[];
}

export type TrafficKind = 'clusterip' | 'nodeport-host' | 'nodeport-pod';

/** One burst of N requests, each a new TCP connection, from one client to one target. */
export interface TrafficSample {
  readonly kind: TrafficKind;
  /** Node the client runs on; `host` for the machine running kind. */
  readonly fromNode: string;
  /** Client pod name, or `host`. */
  readonly client: string;
  /** `namespace/name` of the Service aimed at. */
  readonly service: string;
  /** `address:port` dialled. */
  readonly target: string;
  /** Answering backend per request, in order; `null` for a request that failed. */
  readonly answers: readonly (string | null)[];
  /** Why requests failed (one line each), empty when none did. */
  readonly errors: readonly string[];
}

export interface Fingerprint {
  readonly kindVersion: string;
  readonly nodeImage: string;
  readonly serverVersion: string;
  readonly kubeProxyImage: string;
  readonly kernel: string;
  /** Effective KubeProxyConfiguration YAML as read from the cluster. */
  readonly kubeProxyConfig: string;
}

export interface StageTiming {
  readonly stage: 'preflight' | 'create' | 'deploy' | 'traffic' | 'observe' | 'teardown' | string;
  readonly ms: number;
}

export interface Bundle {
  readonly formatVersion: typeof BUNDLE_FORMAT_VERSION;
  /** `live`, `model` or `mutant:<name>`. */
  readonly source: string;
  readonly createdAt: string;
  /** What the run asked for: the kind config YAML text and the requested versions. */
  readonly requested: {
    readonly kindConfig: string;
    readonly kindVersion: string;
    readonly nodeImage: string;
    /** Namespace the suite deployed its workloads into. */
    readonly namespace: string;
  };
  readonly fingerprint: Fingerprint;
  readonly snapshots: readonly Snapshot[];
  readonly traffic: readonly TrafficSample[];
  readonly timings: readonly StageTiming[];
  readonly counters: { readonly execs: number; readonly apiCalls: number };
  /** Set when the live run could not complete a stage; the suites fail with this message. */
  readonly failure: { readonly stage: string; readonly message: string } | null;
}
