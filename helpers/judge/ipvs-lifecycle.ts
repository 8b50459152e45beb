import type { ApiEvent } from '../api/types.ts';
import type { Finding } from './finding.ts';

/**
 * Where IPVS mode stands in the Kubernetes release under test. IPVS is deprecated from v1.35
 * (KEP-5495: kube-proxy logs an error at start-up and records a Warning event with reason
 * `IPVSDeprecation` on its Node); v1.37 adds the `KubeProxyIPVS` feature gate (default true),
 * planned to default to false in v1.40. A version bump must read "IPVS deprecated / gated off",
 * not as a wall of unrelated failures, so this judge speaks first and with its own message prefix
 * (the Allure category "IPVS deprecated / gated off" matches `IPVS deprecated:` and `IPVS gated off:`).
 */
export const IPVS_DEPRECATED_MINOR = 35;
export const IPVS_GATE_MINOR = 37;
export const IPVS_DEPRECATION_REASON = 'IPVSDeprecation';

export interface IpvsLifecycleInput {
  /** `gitVersion` of the API server, e.g. `v1.35.0`. */
  readonly serverVersion: string;
  readonly events: readonly ApiEvent[];
  /** KubeProxyConfiguration YAML `featureGates` as parsed (may be empty). */
  readonly featureGates: Readonly<Record<string, boolean>>;
  /** `/proxyMode` per node. */
  readonly proxyModes: Readonly<Record<string, string>>;
}

/** `v1.35.0-rc.1+abc` -> { major: 1, minor: 35 }; null when it is not a Kubernetes version. */
export function kubeMinor(gitVersion: string): { major: number; minor: number } | null {
  const m = /^v?(\d+)\.(\d+)\./.exec(gitVersion);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

export function judgeIpvsLifecycle(input: IpvsLifecycleInput): Finding[] {
  const findings: Finding[] = [];
  const v = kubeMinor(input.serverVersion);
  const deprecationEvents = input.events.filter((e) => e.reason === IPVS_DEPRECATION_REASON);
  const eventNodes = [...new Set(deprecationEvents.map((e) => e.involvedObject.name))].sort();
  const gate = input.featureGates.KubeProxyIPVS;
  const notIpvs = Object.entries(input.proxyModes).filter(([, mode]) => mode.trim() !== 'ipvs');

  if (gate === false || (v !== null && v.major === 1 && v.minor >= IPVS_GATE_MINOR && notIpvs.length > 0)) {
    findings.push({
      check: 'ipvs-gated-off',
      subject: `kubernetes/${input.serverVersion}`,
      expected: 'IPVS proxier available (feature gate KubeProxyIPVS not false)',
      observed:
        gate === false
          ? 'KubeProxyIPVS: false in the KubeProxyConfiguration'
          : `kube-proxy not in ipvs mode on ${notIpvs.map(([n, m]) => `${n} (${m.trim() || 'empty'})`).join(', ')}`,
      message:
        `IPVS gated off: Kubernetes ${input.serverVersion} gates the ipvs proxier behind KubeProxyIPVS (since v1.${IPVS_GATE_MINOR}); ` +
        'enable the gate explicitly, or move the cluster to nftables mode. Other IPVS checks of this run are moot.',
    });
  }
  if ((v !== null && v.major === 1 && v.minor >= IPVS_DEPRECATED_MINOR) || deprecationEvents.length > 0) {
    findings.push({
      check: 'ipvs-deprecated',
      subject: `kubernetes/${input.serverVersion}`,
      expected: `a Kubernetes release before v1.${IPVS_DEPRECATED_MINOR}, where IPVS mode is not deprecated`,
      observed:
        `server ${input.serverVersion}; ${IPVS_DEPRECATION_REASON} events ` +
        (eventNodes.length > 0 ? `on ${eventNodes.join(', ')}` : 'none recorded'),
      message:
        `IPVS deprecated: Kubernetes ${input.serverVersion} deprecates the ipvs proxier (KEP-5495) and may remove it; ` +
        "kube-proxy says: Please use 'nftables' instead. The rest of this run still checks IPVS behaviour.",
    });
  }
  return findings;
}
