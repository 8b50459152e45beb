/**
 * `ip -d -j addr show` JSON (iproute2 6.1 of Debian bookworm, one line; the command the live node script runs)
 * inside a kind node: lo, the kube-ipvs0 dummy (never set up: BROADCAST,NOARP, qdisc noop, DOWN; every ClusterIP as
 * /32 scope global, reference §2.10), one kindnet ptp veth per pod-network pod carrying the gateway 10.10.N.1/32,
 * and eth0 (a veth from Docker) on the kind docker network (IPv4 /16 plus the network's IPv6 address).
 * `-d` adds `linkinfo.info_kind` (dummy / veth) and the queue/GSO details.
 * GUESSES: ifindex values, MACs, the exact set and order of the `-d` detail keys (from iproute2's print_linkinfo).
 */
import { gatewayAddress, vethPodsOnNode } from './derive.ts';
import type { ModelNode, ModelState } from './types.ts';

/** The `ip -d` detail keys, spliced in after the link-layer fields. */
function details(kind: string | null, maxMtu: number): Record<string, unknown> {
  return {
    promiscuity: 0,
    allmulti: 0,
    min_mtu: kind === null ? 0 : 68,
    max_mtu: maxMtu,
    ...(kind === null ? {} : { linkinfo: { info_kind: kind } }),
    inet6_addr_gen_mode: 'eui64',
    num_tx_queues: 1,
    num_rx_queues: 1,
    gso_max_size: 65536,
    gso_max_segs: 65535,
    tso_max_size: 524280,
    tso_max_segs: 65535,
    gro_max_size: 65536,
  };
}

const FOREVER = 4294967295;

interface AddrInfo {
  readonly family: 'inet' | 'inet6';
  readonly local: string;
  readonly prefixlen: number;
  readonly broadcast?: string;
  readonly scope: string;
  readonly noprefixroute?: boolean;
  readonly nodad?: boolean;
  readonly label?: string;
  readonly valid_life_time: number;
  readonly preferred_life_time: number;
}

function inet(local: string, prefixlen: number, scope: string, label: string, broadcast?: string): AddrInfo {
  return {
    family: 'inet',
    local,
    prefixlen,
    ...(broadcast ? { broadcast } : {}),
    scope,
    label,
    valid_life_time: FOREVER,
    preferred_life_time: FOREVER,
  };
}

/** EUI-64 link-local address of a MAC (what the kernel assigns to an UP interface with IPv6 enabled). */
export function linkLocal(mac: string): string {
  const b = mac.split(':').map((x) => Number.parseInt(x, 16));
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0] = b;
  const g = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
  return `fe80::${g(b0 ^ 0x02, b1)}:${g(b2, 0xff)}:${g(0xfe, b3)}:${g(b4, b5)}`;
}

function inet6(local: string, prefixlen: number, scope: string, extra: Partial<AddrInfo> = {}): AddrInfo {
  return {
    family: 'inet6',
    local,
    prefixlen,
    scope,
    ...extra,
    valid_life_time: FOREVER,
    preferred_life_time: FOREVER,
  };
}

/** Renders the node's `ip -d -j addr show` output; `clusterIPs` are the addresses bound to kube-ipvs0 (absent: no device). */
export function renderIpAddr(
  node: ModelNode,
  state: ModelState,
  clusterIPs: readonly string[] | null,
): string {
  const links: { index: number; json: Record<string, unknown> }[] = [];
  links.push({
    index: 1,
    json: {
      ifindex: 1,
      ifname: 'lo',
      flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
      mtu: 65536,
      qdisc: 'noqueue',
      operstate: 'UNKNOWN',
      group: 'default',
      txqlen: 1000,
      link_type: 'loopback',
      address: '00:00:00:00:00:00',
      broadcast: '00:00:00:00:00:00',
      ...details(null, 0),
      addr_info: [inet('127.0.0.1', 8, 'host', 'lo'), inet6('::1', 128, 'host', { noprefixroute: true })],
    },
  });
  if (clusterIPs !== null) {
    const up = node.kubeIpvs0.up;
    links.push({
      index: node.kubeIpvs0.index,
      json: {
        ifindex: node.kubeIpvs0.index,
        ifname: 'kube-ipvs0',
        flags: up ? ['BROADCAST', 'NOARP', 'UP', 'LOWER_UP'] : ['BROADCAST', 'NOARP'],
        mtu: 1500,
        qdisc: up ? 'noqueue' : 'noop',
        // A dummy that is up reports operstate UNKNOWN (it has no carrier to speak of).
        operstate: up ? 'UNKNOWN' : 'DOWN',
        group: 'default',
        link_type: 'ether',
        address: node.kubeIpvs0.mac,
        broadcast: 'ff:ff:ff:ff:ff:ff',
        ...details('dummy', 0),
        addr_info: clusterIPs.map((ip) => inet(ip, 32, 'global', 'kube-ipvs0')),
      },
    });
  }
  const gw = gatewayAddress(node);
  for (const pod of vethPodsOnNode(state, node.name)) {
    const v = pod.veth;
    if (!v) continue;
    links.push({
      index: v.index,
      json: {
        ifindex: v.index,
        link_index: 2,
        ifname: v.name,
        flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
        mtu: 1500,
        qdisc: 'noqueue',
        operstate: 'UP',
        group: 'default',
        link_type: 'ether',
        address: v.mac,
        broadcast: 'ff:ff:ff:ff:ff:ff',
        link_netnsid: v.netnsId,
        ...details('veth', 65535),
        addr_info: [inet(gw, 32, 'global', v.name), inet6(linkLocal(v.mac), 64, 'link')],
      },
    });
  }
  links.push({
    index: node.eth0.index,
    json: {
      ifindex: node.eth0.index,
      link_index: node.eth0.peerIndex,
      ifname: 'eth0',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: 1500,
      qdisc: 'noqueue',
      operstate: 'UP',
      group: 'default',
      link_type: 'ether',
      address: node.eth0.mac,
      broadcast: 'ff:ff:ff:ff:ff:ff',
      link_netnsid: 0,
      ...details('veth', 65535),
      addr_info: [
        inet(node.internalIP, 16, 'global', 'eth0', '172.18.255.255'),
        inet6(node.ipv6, 64, 'global', { nodad: true }),
        inet6(linkLocal(node.eth0.mac), 64, 'link'),
      ],
    },
  });
  links.sort((a, b) => a.index - b.index);
  return `${JSON.stringify(links.map((l) => l.json))}\n`;
}

/** Interface names in the order `ip addr` lists them (the sysctl renderer asks for their arp_* keys). */
export function interfaceNames(node: ModelNode, state: ModelState, withKubeIpvs0: boolean): string[] {
  const items: { index: number; name: string }[] = [{ index: 1, name: 'lo' }];
  if (withKubeIpvs0) items.push({ index: node.kubeIpvs0.index, name: 'kube-ipvs0' });
  for (const p of vethPodsOnNode(state, node.name))
    if (p.veth) items.push({ index: p.veth.index, name: p.veth.name });
  items.push({ index: node.eth0.index, name: 'eth0' });
  return items.sort((a, b) => a.index - b.index).map((i) => i.name);
}
