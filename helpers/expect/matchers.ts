import { expect } from 'vitest';
import type { ApiEndpointSlice, ApiObjects, ApiService } from '../api/types.ts';
import type { NodeState } from '../bundle/node-state.ts';
import { type Finding, formatFindings } from './findings.ts';
import { checkClusterIpSet, checkIpsets, checkLoopBackSet, checkNodePortSets } from './ipset.ts';
import {
  checkIptables,
  checkKubeChains,
  checkMasqueradeRules,
  checkNodePortRules,
  checkNoIptablesModeChains,
  type IptablesOptions,
} from './iptables.ts';
import { checkIpvs, checkIpvsSchedulers, checkServiceIpvs, type IpvsOptions } from './ipvs.ts';
import { checkClusterIpsBound, checkKubeIpvs0Device } from './kube-ipvs0.ts';
import { checkProxyMode } from './proxy-mode.ts';
import { checkIpvsSysctls, checkStrictArp, type IpvsSysctlOptions, type StrictArpOptions } from './sysctl.ts';

/**
 * vitest matchers over a NodeState. Importing this module registers them (expect.extend); each
 * passes when its check returns no finding and otherwise fails listing every finding with expected
 * vs observed. The plain check functions are re-exported for suites that want the findings.
 */

type ApiServicesAndSlices = Pick<ApiObjects, 'services' | 'endpointSlices'>;

/** The custom matchers (R is the assertion's return type). */
export interface NodeStateMatchers<R = unknown> {
  /** IPVS programs this Service (ClusterIP and NodePort virtual servers, real servers, scheduler). */
  toProgramService(svc: ApiService, slices: readonly ApiEndpointSlice[], opts?: IpvsOptions): R;
  /** IPVS programs every Service and has no stale virtual server. */
  toProgramServices(api: ApiServicesAndSlices, opts?: IpvsOptions): R;
  /** Every virtual server on the node uses this scheduler (default rr). */
  toUseScheduler(scheduler?: string): R;
  /** kube-ipvs0 exists, is a dummy, is DOWN. */
  toHaveKubeIpvs0(): R;
  /** Every ClusterIP is on kube-ipvs0 as /32 and on no other interface. */
  toBindClusterIPs(services: readonly ApiService[]): R;
  /** The IPVS proxier's chains and jumps exist, in order. */
  toHaveKubeChains(opts?: IptablesOptions): R;
  /** KUBE-SERVICES → KUBE-NODE-PORT and the NodePort set rules match the Services. */
  toHaveNodePortRules(services: readonly ApiService[], opts?: IptablesOptions): R;
  /** KUBE-MARK-MASQ and KUBE-POSTROUTING are kube-proxy's (LOOP-BACK rule iff local endpoints). */
  toHaveMasqueradeRules(api: ApiServicesAndSlices, opts?: IptablesOptions): R;
  /** No iptables-mode chain exists. */
  toHaveNoIptablesModeChains(opts?: IptablesOptions): R;
  /** Every iptables check. */
  toHaveIpvsIptables(api: ApiServicesAndSlices, opts?: IptablesOptions): R;
  /** KUBE-CLUSTER-IP holds exactly the Service ports. */
  toHaveClusterIpSet(services: readonly ApiService[]): R;
  /** The NodePort sets hold exactly the nodePorts. */
  toHaveNodePortSets(services: readonly ApiService[]): R;
  /** KUBE-LOOP-BACK holds exactly the local endpoints. */
  toHaveLoopBackSet(api: ApiServicesAndSlices): R;
  /** Every ipset check. */
  toHaveIpvsIpsets(api: ApiServicesAndSlices): R;
  /** strictARP: conf/all and effective per-interface arp_ignore 1 / arp_announce 2. */
  toHaveStrictArp(opts?: StrictArpOptions): R;
  /** The IPVS sysctls kube-proxy sets. */
  toHaveIpvsSysctls(opts?: IpvsSysctlOptions): R;
  /** kube-proxy's /proxyMode (default ipvs). */
  toRunProxyMode(mode?: string): R;
  /** The received Finding[] is empty (for suites calling the plain checks). */
  toHaveNoFindings(): R;
}

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: the augmented interface is declared with `T = any` by vitest; declarations must match.
  interface Assertion<T = any> extends NodeStateMatchers<T> {}
  interface AsymmetricMatchersContaining extends NodeStateMatchers {}
}

/** Structural guard: a NodeState has a name and section results. */
export function isNodeState(x: unknown): x is NodeState {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  const ipvs = r.ipvs as Record<string, unknown> | undefined;
  return (
    typeof r.name === 'string' && typeof ipvs === 'object' && ipvs !== null && typeof ipvs.ok === 'boolean'
  );
}

function isFindings(x: unknown): x is Finding[] {
  return (
    Array.isArray(x) && x.every((f) => typeof f === 'object' && f !== null && 'check' in f && 'message' in f)
  );
}

interface Result {
  pass: boolean;
  message: () => string;
}

function verdict(_isNot: boolean, who: string, what: string, findings: readonly Finding[]): Result {
  const pass = findings.length === 0;
  return {
    pass,
    message: () =>
      pass
        ? `expected ${who} not to ${what}, but there is no finding`
        : `expected ${who} to ${what}; ${findings.length} finding${findings.length === 1 ? '' : 's'}:\n${formatFindings(findings)}`,
  };
}

function onNode(isNot: boolean, received: unknown, what: string, check: (n: NodeState) => Finding[]): Result {
  if (!isNodeState(received)) {
    return {
      pass: false,
      message: () =>
        `expected a NodeState (from nodeStateFromSnapshot), got ${JSON.stringify(received)?.slice(0, 200)}`,
    };
  }
  return verdict(isNot, `node ${received.name}`, what, check(received));
}

/** The matcher implementations, keyed by name (also usable without expect.extend). */
export const nodeStateMatchers = {
  toProgramService(
    this: { isNot: boolean },
    received: unknown,
    svc: ApiService,
    slices: readonly ApiEndpointSlice[],
    opts?: IpvsOptions,
  ) {
    return onNode(this.isNot, received, `program service ${svc.namespace}/${svc.name} in IPVS`, (n) =>
      checkServiceIpvs(n, svc, slices, opts),
    );
  },
  toProgramServices(
    this: { isNot: boolean },
    received: unknown,
    api: ApiServicesAndSlices,
    opts?: IpvsOptions,
  ) {
    return onNode(this.isNot, received, 'program every Service in IPVS', (n) => checkIpvs(n, api, opts));
  },
  toUseScheduler(this: { isNot: boolean }, received: unknown, scheduler = 'rr') {
    return onNode(this.isNot, received, `use the ${scheduler} scheduler on every virtual server`, (n) =>
      checkIpvsSchedulers(n, scheduler),
    );
  },
  toHaveKubeIpvs0(this: { isNot: boolean }, received: unknown) {
    return onNode(
      this.isNot,
      received,
      'have the kube-ipvs0 dummy interface, state DOWN',
      checkKubeIpvs0Device,
    );
  },
  toBindClusterIPs(this: { isNot: boolean }, received: unknown, services: readonly ApiService[]) {
    return onNode(this.isNot, received, 'bind every ClusterIP to kube-ipvs0', (n) =>
      checkClusterIpsBound(n, { services }),
    );
  },
  toHaveKubeChains(this: { isNot: boolean }, received: unknown, opts?: IptablesOptions) {
    return onNode(this.isNot, received, "have kube-proxy's IPVS chains and jumps", (n) =>
      checkKubeChains(n, opts),
    );
  },
  toHaveNodePortRules(
    this: { isNot: boolean },
    received: unknown,
    services: readonly ApiService[],
    opts?: IptablesOptions,
  ) {
    return onNode(this.isNot, received, 'have the NodePort iptables rules', (n) =>
      checkNodePortRules(n, { services }, opts),
    );
  },
  toHaveMasqueradeRules(
    this: { isNot: boolean },
    received: unknown,
    api: ApiServicesAndSlices,
    opts?: IptablesOptions,
  ) {
    return onNode(this.isNot, received, 'have the masquerade rules', (n) =>
      checkMasqueradeRules(n, api, opts),
    );
  },
  toHaveNoIptablesModeChains(this: { isNot: boolean }, received: unknown, opts?: IptablesOptions) {
    return onNode(this.isNot, received, 'have no iptables-mode chains', (n) =>
      checkNoIptablesModeChains(n, opts),
    );
  },
  toHaveIpvsIptables(
    this: { isNot: boolean },
    received: unknown,
    api: ApiServicesAndSlices,
    opts?: IptablesOptions,
  ) {
    return onNode(this.isNot, received, "have kube-proxy's IPVS-mode iptables rules", (n) =>
      checkIptables(n, api, opts),
    );
  },
  toHaveClusterIpSet(this: { isNot: boolean }, received: unknown, services: readonly ApiService[]) {
    return onNode(this.isNot, received, 'hold every ClusterIP port in KUBE-CLUSTER-IP', (n) =>
      checkClusterIpSet(n, { services }),
    );
  },
  toHaveNodePortSets(this: { isNot: boolean }, received: unknown, services: readonly ApiService[]) {
    return onNode(this.isNot, received, 'hold every nodePort in the KUBE-NODE-PORT-* sets', (n) =>
      checkNodePortSets(n, { services }),
    );
  },
  toHaveLoopBackSet(this: { isNot: boolean }, received: unknown, api: ApiServicesAndSlices) {
    return onNode(this.isNot, received, 'hold exactly the local endpoints in KUBE-LOOP-BACK', (n) =>
      checkLoopBackSet(n, api),
    );
  },
  toHaveIpvsIpsets(this: { isNot: boolean }, received: unknown, api: ApiServicesAndSlices) {
    return onNode(this.isNot, received, "have kube-proxy's ipset members", (n) => checkIpsets(n, api));
  },
  toHaveStrictArp(this: { isNot: boolean }, received: unknown, opts?: StrictArpOptions) {
    return onNode(this.isNot, received, 'apply strictARP (arp_ignore 1, arp_announce 2)', (n) =>
      checkStrictArp(n, opts),
    );
  },
  toHaveIpvsSysctls(this: { isNot: boolean }, received: unknown, opts?: IpvsSysctlOptions) {
    return onNode(this.isNot, received, "have kube-proxy's IPVS sysctls", (n) => checkIpvsSysctls(n, opts));
  },
  toRunProxyMode(this: { isNot: boolean }, received: unknown, mode = 'ipvs') {
    return onNode(this.isNot, received, `run kube-proxy in ${mode} mode`, (n) => checkProxyMode(n, mode));
  },
  toHaveNoFindings(this: { isNot: boolean }, received: unknown) {
    if (!isFindings(received)) {
      return {
        pass: false,
        message: () =>
          `expected Finding[] from a check function, got ${JSON.stringify(received)?.slice(0, 200)}`,
      };
    }
    return verdict(this.isNot, 'the check', 'find nothing', received);
  },
};

expect.extend(nodeStateMatchers);

export * from './index.ts';
