/**
 * `ipset save` text as run in the node's kube-proxy pod (the kind node image has no ipset binary, reference §0):
 * one `create` line per set in the order kube-proxy creates them (ipsetInfo, IPv4 proxier then IPv6 proxier), then
 * its `add` lines. Create options are kube-proxy's (`family inet|inet6 hashsize 1024 maxelem 65536`, bitmap:port
 * `range 0-65535`) plus `bucketsize 12 initval 0x<random>` that ipset 7.x on a 5.x+ kernel prints; the random
 * initval and the hash member order are stand-ins derived from stable hashes.
 */
import { fnv1a } from './net.ts';

/** One set as kube-proxy defines it (reference §2.4). */
export interface IpsetDef {
  readonly name: string;
  readonly type: 'hash:ip' | 'hash:ip,port' | 'hash:ip,port,ip' | 'hash:ip,port,net' | 'bitmap:port';
}

/** kube-proxy's IPv4 sets in creation order. */
export const IPV4_SETS: readonly IpsetDef[] = [
  { name: 'KUBE-LOOP-BACK', type: 'hash:ip,port,ip' },
  { name: 'KUBE-CLUSTER-IP', type: 'hash:ip,port' },
  { name: 'KUBE-EXTERNAL-IP', type: 'hash:ip,port' },
  { name: 'KUBE-EXTERNAL-IP-LOCAL', type: 'hash:ip,port' },
  { name: 'KUBE-LOAD-BALANCER', type: 'hash:ip,port' },
  { name: 'KUBE-LOAD-BALANCER-FW', type: 'hash:ip,port' },
  { name: 'KUBE-LOAD-BALANCER-LOCAL', type: 'hash:ip,port' },
  { name: 'KUBE-LOAD-BALANCER-SOURCE-IP', type: 'hash:ip,port,ip' },
  { name: 'KUBE-LOAD-BALANCER-SOURCE-CIDR', type: 'hash:ip,port,net' },
  { name: 'KUBE-NODE-PORT-TCP', type: 'bitmap:port' },
  { name: 'KUBE-NODE-PORT-LOCAL-TCP', type: 'bitmap:port' },
  { name: 'KUBE-NODE-PORT-UDP', type: 'bitmap:port' },
  { name: 'KUBE-NODE-PORT-LOCAL-UDP', type: 'bitmap:port' },
  { name: 'KUBE-NODE-PORT-SCTP-HASH', type: 'hash:ip,port' },
  { name: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH', type: 'hash:ip,port' },
  { name: 'KUBE-HEALTH-CHECK-NODE-PORT', type: 'bitmap:port' },
  { name: 'KUBE-IPVS-IPS', type: 'hash:ip' },
];

/** The IPv6 proxier's name for a set: `KUBE-` -> `KUBE-6-`, cut to 31 characters (ipset's name limit). */
export function ipv6SetName(name: string): string {
  return name.replace(/^KUBE-/, 'KUBE-6-').slice(0, 31);
}

/** Renders `ipset save` for one node; `members` maps IPv4 set names to their members (others are empty). */
export function renderIpsetSave(node: string, members: Readonly<Record<string, readonly string[]>>): string {
  let out = '';
  const emit = (def: IpsetDef, name: string, family: 'inet' | 'inet6', list: readonly string[]) => {
    const opts =
      def.type === 'bitmap:port'
        ? 'range 0-65535'
        : `family ${family} hashsize 1024 maxelem 65536 bucketsize 12 initval 0x${fnv1a(`${node}/${name}`).toString(16).padStart(8, '0')}`;
    out += `create ${name} ${def.type} ${opts}\n`;
    // Hash sets list in hash order, bitmap sets in port order.
    const ordered =
      def.type === 'bitmap:port'
        ? [...list].sort((a, b) => Number(a) - Number(b))
        : [...list].sort((a, b) => fnv1a(`${node}/${name}/${a}`) - fnv1a(`${node}/${name}/${b}`));
    for (const m of ordered) out += `add ${name} ${m}\n`;
  };
  for (const def of IPV4_SETS) emit(def, def.name, 'inet', members[def.name] ?? []);
  for (const def of IPV4_SETS) emit(def, ipv6SetName(def.name), 'inet6', []);
  return out;
}
