import ipaddr from 'ipaddr.js';
import type { ApiEndpoint, ApiEndpointSlice, ApiService, ApiServicePort } from '../api/types.ts';
import { canonicalIp } from '../bundle/node-state.ts';
import type { IpAddrState } from '../parse/types.ts';

/**
 * What kube-proxy derives from API objects, independent of any node's observed state: which
 * services it proxies, which endpoints back a port, which of them are local. Mirrors
 * pkg/proxy (CategorizeEndpoints, syncEndpoint) as described in the reference, sections 2.8-2.9.
 */

/** IP family of an address. */
export type Family = 4 | 6;

/** The IP family of an address text (6 when it contains a colon). */
export function familyOf(address: string): Family {
  return address.includes(':') ? 6 : 4;
}

/** `addr:port`, with IPv6 in brackets (the ipvsadm way). */
export function hostPort(address: string, port: number): string {
  return familyOf(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

/** `namespace/name`. */
export function serviceId(svc: ApiService): string {
  return `${svc.namespace}/${svc.name}`;
}

/** kube-proxy programs no IPVS state for headless and ExternalName services. */
export function isProxied(svc: ApiService): boolean {
  return svc.type !== 'ExternalName' && serviceIPs(svc).length > 0;
}

/** The service's cluster IPs (all families), canonical; empty for headless services. */
export function serviceIPs(svc: ApiService): string[] {
  if (svc.type === 'ExternalName') return [];
  const ips = svc.clusterIPs.length > 0 ? svc.clusterIPs : svc.clusterIP === null ? [] : [svc.clusterIP];
  return ips.filter((ip) => ip !== 'None' && ip !== '').map(canonicalIp);
}

/** The port's nodePort when the service type exposes it (NodePort or LoadBalancer), else null. */
export function nodePortOf(svc: ApiService, port: ApiServicePort): number | null {
  if (svc.type !== 'NodePort' && svc.type !== 'LoadBalancer') return null;
  return port.nodePort;
}

/** An endpoint resolved against one service port. */
export interface PortEndpoint {
  readonly address: string;
  /** The targetPort as the EndpointSlice resolved it. */
  readonly port: number;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName: string | null;
}

function slicePortName(name: string | null): string {
  return name ?? '';
}

/**
 * Endpoints of one service port and family: every slice of the service with that address type,
 * the slice port matched by name and protocol (kube-proxy keys endpoints by port name), the first
 * address of each endpoint, de-duplicated by address:port.
 */
export function portEndpoints(
  svc: ApiService,
  port: ApiServicePort,
  slices: readonly ApiEndpointSlice[],
  family: Family,
): PortEndpoint[] {
  const out = new Map<string, PortEndpoint>();
  for (const slice of slices) {
    if (slice.namespace !== svc.namespace || slice.serviceName !== svc.name) continue;
    if (slice.addressType !== (family === 4 ? 'IPv4' : 'IPv6')) continue;
    const sp = slice.ports.find(
      (p) => slicePortName(p.name) === slicePortName(port.name) && p.protocol === port.protocol,
    );
    if (sp === undefined) continue;
    for (const ep of slice.endpoints) {
      const first = ep.addresses[0];
      if (first === undefined) continue;
      const address = canonicalIp(first);
      const key = hostPort(address, sp.port);
      if (!out.has(key)) out.set(key, fromEndpoint(ep, address, sp.port));
    }
  }
  return [...out.values()];
}

function fromEndpoint(ep: ApiEndpoint, address: string, port: number): PortEndpoint {
  return {
    address,
    port,
    ready: ep.ready,
    serving: ep.serving,
    terminating: ep.terminating,
    nodeName: ep.nodeName,
  };
}

/** Ready endpoints; when none is ready, the serving and terminating ones (kube-proxy's fallback). */
export function usableEndpoints(eps: readonly PortEndpoint[]): PortEndpoint[] {
  const ready = eps.filter((e) => e.ready);
  if (ready.length > 0) return ready;
  return eps.filter((e) => e.serving && e.terminating);
}

/** Real servers expected on the ClusterIP virtual server of a port on `nodeName`. */
export function clusterIpRealServers(
  svc: ApiService,
  port: ApiServicePort,
  slices: readonly ApiEndpointSlice[],
  family: Family,
  nodeName: string,
): PortEndpoint[] {
  const eps = portEndpoints(svc, port, slices, family);
  // ITP=Local: only local endpoints, and no cluster fallback for the ClusterIP VS (reference 2.9).
  if (svc.internalTrafficPolicy === 'Local') {
    return usableEndpoints(eps.filter((e) => e.nodeName === nodeName));
  }
  return usableEndpoints(eps);
}

/** Real servers expected on the NodePort virtual servers of a port on `nodeName`. */
export function nodePortRealServers(
  svc: ApiService,
  port: ApiServicePort,
  slices: readonly ApiEndpointSlice[],
  family: Family,
  nodeName: string,
): PortEndpoint[] {
  const eps = portEndpoints(svc, port, slices, family);
  if (svc.externalTrafficPolicy === 'Local') {
    const local = usableEndpoints(eps.filter((e) => e.nodeName === nodeName));
    // PR #97081: with no local endpoint kube-proxy falls back to the cluster endpoints.
    return local.length > 0 ? local : usableEndpoints(eps);
  }
  return usableEndpoints(eps);
}

/**
 * Local IP addresses kube-proxy creates NodePort virtual servers on: every address of the family
 * except those on kube-ipvs0, loopback (127/8, ::1) and IPv6 link-local; de-duplicated (kindnet
 * puts the same gateway address on every pod veth).
 */
export function nodePortAddresses(interfaces: IpAddrState, family: Family): string[] {
  const out = new Set<string>();
  for (const itf of interfaces.interfaces) {
    if (itf.name === 'kube-ipvs0') continue;
    for (const cidr of itf.addresses) {
      const address = canonicalIp(cidr.split('/')[0] ?? cidr);
      if (familyOf(address) !== family || !ipaddr.isValid(address)) continue;
      const range = ipaddr.parse(address).range();
      // IPv4 169.254/16 stays: kube-proxy's isValidForSet only rejects 127/8, ::1 and fe80::/10.
      if (range === 'loopback' || (family === 6 && range === 'linkLocal')) continue;
      out.add(address);
    }
  }
  return [...out];
}

/** True for 127/8 and ::1. */
export function isLoopback(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.parse(address).range() === 'loopback';
}

/**
 * Members KUBE-LOOP-BACK must hold on `nodeName`: `ip,proto:port,ip` for every endpoint on that
 * node whatever its readiness (terminating ones included, reference 2.4), over every port of every
 * proxied service of the family.
 */
export function loopBackMembers(
  services: readonly ApiService[],
  slices: readonly ApiEndpointSlice[],
  family: Family,
  nodeName: string,
): Set<string> {
  const out = new Set<string>();
  for (const svc of services) {
    if (!isProxied(svc) || !serviceIPs(svc).some((ip) => familyOf(ip) === family)) continue;
    for (const port of svc.ports) {
      for (const ep of portEndpoints(svc, port, slices, family)) {
        if (ep.nodeName !== nodeName) continue;
        out.add(`${ep.address},${port.protocol.toLowerCase()}:${ep.port},${ep.address}`);
      }
    }
  }
  return out;
}

/** Service ports of the family that expose a nodePort, with their protocol. */
export function nodePorts(
  services: readonly ApiService[],
  family: Family,
): { readonly svc: ApiService; readonly port: ApiServicePort; readonly nodePort: number }[] {
  const out: { svc: ApiService; port: ApiServicePort; nodePort: number }[] = [];
  for (const svc of services) {
    if (!isProxied(svc) || !serviceIPs(svc).some((ip) => familyOf(ip) === family)) continue;
    for (const port of svc.ports) {
      const nodePort = nodePortOf(svc, port);
      if (nodePort !== null) out.push({ svc, port, nodePort });
    }
  }
  return out;
}
