import { parse as parseYaml } from 'yaml';
import type { Finding } from '../judge/finding.ts';
import {
  type Cidr,
  checkCidr,
  cidrContainsCidr,
  cidrContainsIp,
  cidrString,
  cidrsOverlap,
  nthAddress,
  parseIp,
} from './cidr.ts';

/**
 * Judges the address layout of a cluster: node podCIDRs carved from the pod subnet, pod IPs
 * inside their node's podCIDR, ClusterIPs inside the service subnet with the two well-known
 * addresses, and kubeadm's record of the subnets. Pure over plain data; the input shapes are
 * structural subsets of helpers/api/types.ts, so ApiNode/ApiPod/ApiService can be passed as they are.
 */

export interface LayoutNode {
  readonly name: string;
  readonly podCIDR: string | null;
  readonly podCIDRs: readonly string[];
}

export interface LayoutPod {
  readonly namespace?: string;
  readonly name: string;
  readonly nodeName: string | null;
  readonly podIP: string | null;
  readonly hostNetwork: boolean;
}

export interface LayoutService {
  readonly namespace: string;
  readonly name: string;
  /** `None` (headless) and null (ExternalName) are skipped. */
  readonly clusterIP: string | null;
  readonly clusterIPs: readonly string[];
}

export interface LayoutInput {
  readonly nodes: readonly LayoutNode[];
  readonly pods: readonly LayoutPod[];
  readonly services: readonly LayoutService[];
  /** The configured pod subnet (comma-separated for dual stack), e.g. the kind config's. */
  readonly podSubnet: string;
  readonly serviceSubnet: string;
  /**
   * `data.ClusterConfiguration` of ConfigMap kube-system/kubeadm-config. Leave it out to skip the
   * kubeadm checks; null means the ConfigMap was read and is absent (a finding on kind).
   */
  readonly kubeadmClusterConfiguration?: string | null;
  /** Node CIDR mask per family; the controller-manager defaults are /24 (IPv4) and /64 (IPv6). */
  readonly nodeMaskSize?: { readonly ipv4?: number; readonly ipv6?: number };
}

/** Ids of the checks {@link judgeLayout} runs (the `check` of its findings). */
export const LAYOUT_CHECKS = [
  'layout-subnets',
  'podcidr-assigned',
  'podcidr-mask',
  'podcidr-in-pod-subnet',
  'podcidr-disjoint',
  'podcidrs-match-podcidr',
  'pod-ip-in-node-podcidr',
  'clusterip-in-service-subnet',
  'kubernetes-service-ip',
  'kube-dns-service-ip',
  'kubeadm-config',
  'kubeadm-pod-subnet',
  'kubeadm-service-subnet',
] as const;
export type LayoutCheck = (typeof LAYOUT_CHECKS)[number];

const KUBERNETES_SERVICE = { namespace: 'default', name: 'kubernetes', nth: 1 } as const;
const KUBE_DNS_SERVICE = { namespace: 'kube-system', name: 'kube-dns', nth: 10 } as const;

function finding(
  check: LayoutCheck,
  subject: string,
  expected: string,
  observed: string,
  message: string,
): Finding {
  return { check, subject, expected, observed, message };
}

function parseSubnetList(text: string): { cidrs: Cidr[]; problems: string[] } {
  const cidrs: Cidr[] = [];
  const problems: string[] = [];
  for (const part of text.split(',')) {
    const checked = checkCidr(part.trim());
    if (checked.ok) cidrs.push(checked.cidr);
    else problems.push(checked.reason);
  }
  return { cidrs, problems };
}

/** Normalised comma-joined form, or the trimmed text when it is not a CIDR list. */
function normaliseSubnets(text: string): string {
  const { cidrs, problems } = parseSubnetList(text);
  return problems.length === 0 ? cidrs.map(cidrString).join(',') : text.trim();
}

function judgeNodes(
  input: LayoutInput,
  podSubnets: readonly Cidr[],
): { findings: Finding[]; podCidrsOf: Map<string, Cidr[]> } {
  const findings: Finding[] = [];
  const podCidrsOf = new Map<string, Cidr[]>();
  const masks = { ipv4: input.nodeMaskSize?.ipv4 ?? 24, ipv6: input.nodeMaskSize?.ipv6 ?? 64 };
  const subnetText = podSubnets.map(cidrString).join(',');
  const assigned: { node: string; cidr: Cidr }[] = [];

  for (const node of input.nodes) {
    const subject = `node/${node.name}`;
    const unassigned = node.podCIDR === null || node.podCIDR === '';
    if (unassigned) {
      findings.push(
        finding(
          'podcidr-assigned',
          subject,
          `a /${masks.ipv4} from ${subnetText}`,
          'no podCIDR',
          `node ${node.name} has no spec.podCIDR: the controller-manager did not allocate one (is --allocate-node-cidrs on, is the pod subnet exhausted?)`,
        ),
      );
    }
    // podCIDR is the primary range; podCIDRs repeats it first and adds the other family's in dual stack.
    const texts = [
      ...new Set([...(unassigned || node.podCIDR === null ? [] : [node.podCIDR]), ...node.podCIDRs]),
    ];
    const mine: Cidr[] = [];
    for (const text of texts) {
      const checked = checkCidr(text);
      if (!checked.ok) {
        findings.push(
          finding(
            'podcidr-assigned',
            subject,
            'a CIDR',
            text,
            `node ${node.name} podCIDR: ${checked.reason}`,
          ),
        );
        continue;
      }
      const cidr = checked.cidr;
      mine.push(cidr);
      assigned.push({ node: node.name, cidr });
      const mask = masks[cidr.family];
      if (cidr.prefix !== mask) {
        findings.push(
          finding(
            'podcidr-mask',
            subject,
            `/${mask}`,
            `/${cidr.prefix} (${cidrString(cidr)})`,
            `node ${node.name} podCIDR ${cidrString(cidr)} is a /${cidr.prefix}, not the /${mask} the controller-manager carves by default`,
          ),
        );
      }
      if (!podSubnets.some((s) => cidrContainsCidr(s, cidr))) {
        findings.push(
          finding(
            'podcidr-in-pod-subnet',
            subject,
            `inside ${subnetText}`,
            cidrString(cidr),
            `node ${node.name} podCIDR ${cidrString(cidr)} lies outside the pod subnet ${subnetText}`,
          ),
        );
      }
    }
    podCidrsOf.set(node.name, mine);
    // A node with neither field is already reported as unassigned; one finding is enough.
    const want = podSubnets.length;
    if (unassigned && node.podCIDRs.length === 0) continue;
    if (node.podCIDRs.length !== want || node.podCIDRs[0] !== node.podCIDR) {
      findings.push(
        finding(
          'podcidrs-match-podcidr',
          subject,
          want === 1 ? `[${node.podCIDR ?? ''}]` : `${want} entries starting with ${node.podCIDR ?? ''}`,
          `[${node.podCIDRs.join(', ')}]`,
          `node ${node.name} spec.podCIDRs does not agree with spec.podCIDR (expected ${want} entr${want === 1 ? 'y' : 'ies'}, one per pod subnet, the first equal to podCIDR)`,
        ),
      );
    }
  }

  for (let i = 0; i < assigned.length; i++) {
    for (let j = i + 1; j < assigned.length; j++) {
      const a = assigned[i];
      const b = assigned[j];
      if (a === undefined || b === undefined || a.node === b.node || !cidrsOverlap(a.cidr, b.cidr)) continue;
      findings.push(
        finding(
          'podcidr-disjoint',
          `node/${a.node},node/${b.node}`,
          'disjoint podCIDRs',
          `${cidrString(a.cidr)} and ${cidrString(b.cidr)}`,
          `nodes ${a.node} and ${b.node} have overlapping podCIDRs ${cidrString(a.cidr)} / ${cidrString(b.cidr)}: pods on both could get the same IP`,
        ),
      );
    }
  }
  return { findings, podCidrsOf };
}

function judgePods(input: LayoutInput, podCidrsOf: ReadonlyMap<string, readonly Cidr[]>): Finding[] {
  const findings: Finding[] = [];
  const known = new Set(input.nodes.map((n) => n.name));
  for (const pod of input.pods) {
    // hostNetwork pods carry the node's own IP; pods without an IP or node are not placed yet.
    if (pod.hostNetwork || pod.podIP === null || pod.podIP === '' || pod.nodeName === null) continue;
    const subject = `pod/${pod.namespace === undefined ? '' : `${pod.namespace}/`}${pod.name}`;
    const cidrs = podCidrsOf.get(pod.nodeName) ?? [];
    const cidr = cidrs[0];
    if (cidr === undefined) {
      findings.push(
        finding(
          'pod-ip-in-node-podcidr',
          subject,
          `inside the podCIDR of node ${pod.nodeName}`,
          `${pod.podIP}; node ${pod.nodeName} ${known.has(pod.nodeName) ? 'has no valid podCIDR' : 'is not in the node list'}`,
          `pod ${pod.name} runs on node ${pod.nodeName}, whose podCIDR is unknown, so its IP ${pod.podIP} cannot be placed`,
        ),
      );
    } else if (!cidrs.some((c) => cidrContainsIp(c, pod.podIP ?? ''))) {
      findings.push(
        finding(
          'pod-ip-in-node-podcidr',
          subject,
          `inside ${cidrString(cidr)} (node ${pod.nodeName})`,
          pod.podIP,
          `pod ${pod.name} on node ${pod.nodeName} has IP ${pod.podIP} outside that node's podCIDR ${cidrString(cidr)}: the CNI is not using the node's range`,
        ),
      );
    }
  }
  return findings;
}

function judgeServices(input: LayoutInput, serviceSubnets: readonly Cidr[]): Finding[] {
  const findings: Finding[] = [];
  const subnetText = serviceSubnets.map(cidrString).join(',');
  for (const svc of input.services) {
    const ips = new Set([...(svc.clusterIP === null ? [] : [svc.clusterIP]), ...svc.clusterIPs]);
    for (const ip of ips) {
      if (ip === 'None' || ip === '') continue;
      if (!serviceSubnets.some((s) => cidrContainsIp(s, ip))) {
        findings.push(
          finding(
            'clusterip-in-service-subnet',
            `service/${svc.namespace}/${svc.name}`,
            `inside ${subnetText}`,
            ip,
            `service ${svc.namespace}/${svc.name} ClusterIP ${ip} lies outside the service subnet ${subnetText}`,
          ),
        );
      }
    }
  }
  const first = serviceSubnets[0];
  if (first === undefined) return findings;
  for (const [check, wk, why] of [
    ['kubernetes-service-ip', KUBERNETES_SERVICE, 'kube-apiserver reserves the first address for it'],
    ['kube-dns-service-ip', KUBE_DNS_SERVICE, 'kubeadm gives cluster DNS the 10th address'],
  ] as const) {
    const want = nthAddress(first, wk.nth);
    const svc = input.services.find((s) => s.namespace === wk.namespace && s.name === wk.name);
    const have = svc?.clusterIP ?? null;
    const normalised = have === null ? null : (parseIp(have)?.address ?? have);
    if (normalised !== want) {
      findings.push(
        finding(
          check,
          `service/${wk.namespace}/${wk.name}`,
          want,
          svc === undefined ? 'service absent' : (have ?? 'no ClusterIP'),
          `${wk.namespace}/${wk.name} should have ClusterIP ${want} (${why}; address #${wk.nth} of ${cidrString(first)}), observed ${svc === undefined ? 'no such service' : (have ?? 'none')}`,
        ),
      );
    }
  }
  return findings;
}

function judgeKubeadm(
  input: LayoutInput,
  podSubnets: readonly Cidr[],
  serviceSubnets: readonly Cidr[],
): Finding[] {
  const text = input.kubeadmClusterConfiguration;
  if (text === undefined) return [];
  const subject = 'configmap/kube-system/kubeadm-config';
  if (text === null) {
    return [
      finding(
        'kubeadm-config',
        subject,
        'data.ClusterConfiguration',
        'absent',
        'the kubeadm-config ConfigMap (or its ClusterConfiguration key) is missing, so the subnets kubeadm used cannot be checked',
      ),
    ];
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e: unknown) {
    const reason = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
    return [
      finding(
        'kubeadm-config',
        subject,
        'ClusterConfiguration YAML',
        'unparseable',
        `ClusterConfiguration is not valid YAML: ${reason}`,
      ),
    ];
  }
  const networking =
    typeof doc === 'object' && doc !== null && 'networking' in doc
      ? (doc as { networking: unknown }).networking
      : undefined;
  const findings: Finding[] = [];
  for (const [check, key, configured] of [
    ['kubeadm-pod-subnet', 'podSubnet', podSubnets],
    ['kubeadm-service-subnet', 'serviceSubnet', serviceSubnets],
  ] as const) {
    const raw =
      typeof networking === 'object' && networking !== null
        ? (networking as Record<string, unknown>)[key]
        : undefined;
    const want = configured.map(cidrString).join(',');
    const have = typeof raw === 'string' ? normaliseSubnets(raw) : null;
    if (have !== want) {
      findings.push(
        finding(
          check,
          subject,
          want,
          have ?? 'not set',
          `kubeadm's ClusterConfiguration networking.${key} is ${have ?? 'not set'} while the cluster was configured with ${want}: the cluster was not built from this config`,
        ),
      );
    }
  }
  return findings;
}

/** Runs every layout check; returns one finding per violation (empty = the layout is as configured). */
export function judgeLayout(input: LayoutInput): Finding[] {
  const pods = parseSubnetList(input.podSubnet);
  const services = parseSubnetList(input.serviceSubnet);
  const bad = [
    ...pods.problems.map((p) => ['pod subnet', input.podSubnet, p] as const),
    ...services.problems.map((p) => ['service subnet', input.serviceSubnet, p] as const),
  ];
  if (bad.length > 0) {
    // Without the subnets nothing else can be judged; say so instead of reporting noise.
    return bad.map(([what, text, reason]) =>
      finding(
        'layout-subnets',
        what,
        'a CIDR',
        text,
        `the configured ${what} is not usable (${reason}), so no layout check ran`,
      ),
    );
  }
  const nodes = judgeNodes(input, pods.cidrs);
  return [
    ...nodes.findings,
    ...judgePods(input, nodes.podCidrsOf),
    ...judgeServices(input, services.cidrs),
    ...judgeKubeadm(input, pods.cidrs, services.cidrs),
  ];
}
