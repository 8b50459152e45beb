import ipaddr from 'ipaddr.js';
import type { ApiObjects } from '../api/types.ts';

/**
 * Stable symbolic names for the addresses of one snapshot, so two runs (whose pod IPs, node IPs
 * and generated pod names differ) can be compared: `<node:worker2>`, `<gw:worker2>`,
 * `<podcidr:worker2>`, `<svc:default/kubernetes>`, `<pod:echo@worker>`.
 */
export interface SymbolTable {
  /** Rewrites every known IPv4 address or CIDR inside `text`; unknown ones stay as they are. */
  rewrite(text: string): string;
  /** Symbolic name of a node (its name without the cluster prefix). */
  role(nodeName: string): string;
}

const ROLE = /(control-plane|worker\d*)$/;

/** Kubernetes' alphabet for generated name suffixes (`k8s.io/apimachinery/pkg/util/rand`): no vowels, no 0/1/3. */
const GEN = '[bcdfghjklmnpqrstvwxz2456789]';
const DEPLOYMENT_POD = new RegExp(`^(.*)-${GEN}{6,10}-${GEN}{5}$`);
const GENERATED_POD = new RegExp(`^(.*)-${GEN}{5}$`);

/**
 * The stable part of a pod name: `echo-7d9f8b6c5d-x2x7q` -> `echo` (Deployment), `kube-proxy-4jvw8`
 * -> `kube-proxy` (DaemonSet), `etcd-<node>` -> `etcd` (static pod), `client-<node>` -> `client`.
 */
export function podBase(name: string, nodeName: string | null = null, clientPrefix = 'client-'): string {
  if (name.startsWith(clientPrefix)) return clientPrefix.replace(/-$/, '');
  if (nodeName && name.endsWith(`-${nodeName}`)) return name.slice(0, -nodeName.length - 1);
  return DEPLOYMENT_POD.exec(name)?.[1] ?? GENERATED_POD.exec(name)?.[1] ?? name;
}

export function buildSymbols(snapshots: readonly ApiObjects[]): SymbolTable {
  const tables = snapshots.map(symbolsOf);
  const roleOf = (name: string): string => tables[0]?.role(name) ?? ROLE.exec(name)?.[1] ?? name;
  // Applied in order: once an address became a symbol, later tables no longer see it.
  return { role: roleOf, rewrite: (text) => tables.reduce((t, table) => table.rewrite(t), text) };
}

function symbolsOf(api: ApiObjects): SymbolTable {
  const roleOf = new Map<string, string>();
  for (const n of api.nodes) roleOf.set(n.name, ROLE.exec(n.name)?.[1] ?? n.name);
  const role = (name: string): string => roleOf.get(name) ?? ROLE.exec(name)?.[1] ?? name;
  const names = new Map<string, string>();
  for (const n of api.nodes) {
    const r = role(n.name);
    if (n.internalIP) names.set(n.internalIP, `<node:${r}>`);
    if (n.podCIDR) {
      names.set(n.podCIDR, `<podcidr:${r}>`);
      try {
        const [net] = ipaddr.parseCIDR(n.podCIDR);
        const bytes = net.toByteArray();
        bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) + 1;
        names.set(ipaddr.fromByteArray(bytes).toString(), `<gw:${r}>`);
      } catch {
        // A malformed podCIDR is the layout suite's finding; the diff just leaves it unnamed.
      }
    }
  }
  for (const s of api.services) {
    for (const ip of s.clusterIPs) names.set(ip, `<svc:${s.namespace}/${s.name}>`);
  }
  const pods = [...api.pods].filter((p) => !p.hostNetwork).sort((a, b) => a.name.localeCompare(b.name));
  const seen = new Map<string, number>();
  for (const p of pods) {
    const base = `${podBase(p.name, p.nodeName)}@${p.nodeName ? role(p.nodeName) : 'unscheduled'}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    for (const ip of p.podIPs.length > 0 ? p.podIPs : p.podIP ? [p.podIP] : []) {
      names.set(ip, `<pod:${base}${n > 1 ? `#${n}` : ''}>`);
    }
  }
  const ipv4 = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:\/\d{1,2})?\b/g;
  return {
    role,
    rewrite: (text) =>
      text.replace(ipv4, (m) => {
        const exact = names.get(m);
        if (exact) return exact;
        const [addr, len] = m.split('/');
        const named = addr ? names.get(addr) : undefined;
        return named && (len === '32' || len === undefined) ? named : m;
      }),
  };
}
