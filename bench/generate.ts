/**
 * Input generators for the parser benchmark: large, synthetic but format-exact outputs of the tools the
 * suite parses. Each printf-style layout follows the tool's own print code (named per function) and the
 * samples in shared/reference/derived-samples, so the text parses with the real parsers.
 */

/** Dotted quad of `base + n` (n may exceed 255 per octet: it carries into the upper octets). */
function ipv4(a: number, b: number, n: number): string {
  const v = ((a << 24) >>> 0) + (b << 16) + n;
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

function ipv4Hex(a: number, b: number, n: number): string {
  const v = ((a << 24) >>> 0) + (b << 16) + n;
  return v.toString(16).toUpperCase().padStart(8, '0');
}

/** One virtual server of the synthetic IPVS table (shared by the ipvsadm and /proc renderings). */
interface SyntheticVs {
  readonly protocol: 'TCP' | 'UDP';
  /** Offset of the ClusterIP from 10.200.0.0 (carries into 10.201... past 65535). */
  readonly vip: number;
  readonly port: number;
  readonly persistent: boolean;
}

function syntheticVs(i: number): SyntheticVs {
  return { protocol: i % 5 === 4 ? 'UDP' : 'TCP', vip: i, port: 80 + (i % 7), persistent: i % 10 === 3 };
}

/** Offset from 10.10.0.0 of real server `j` of virtual server `i` (unique per pair). */
function rsOffset(i: number, j: number, perVs: number): number {
  return i * perVs + j + 2;
}

/**
 * The lines joined with a final newline as one flat string. `join` then `+ '\n'` would hand out a
 * cons string that the first reader flattens (a copy of the whole text billed to whoever runs first).
 */
function linesText(out: string[]): string {
  out.push('');
  return out.join('\n');
}

/** A flat copy of `text`, so the parser and the baseline both read the same already-built string. */
function fresh(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** Counts a benchmark input declares so the bench can check that the parser saw all of it. */
export interface Generated {
  readonly text: string;
  /** What a complete parse must contain, e.g. `{ virtualServers: 10000, realServers: 100000 }`. */
  readonly expect: Readonly<Record<string, number>>;
}

/**
 * `ipvsadm -Ln` (ipvsadm 1.31 print_title / print_service_entry): `"%s  %s %s"` + ` persistent N`, and
 * real servers `"  -> %-28s %-7s %-6d %-10u %-10u"` (the trailing padding is kept, as ipvsadm prints it).
 */
export function ipvsadmLn(virtualServers: number, realPerVs: number): Generated {
  const out: string[] = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ];
  for (let i = 0; i < virtualServers; i++) {
    const vs = syntheticVs(i);
    out.push(
      `${vs.protocol}  ${ipv4(10, 200, vs.vip)}:${vs.port} rr${vs.persistent ? ' persistent 10800' : ''}`,
    );
    for (let j = 0; j < realPerVs; j++) {
      const rs = `${ipv4(10, 10, rsOffset(i, j, realPerVs))}:8080`;
      const weight = j === realPerVs - 1 && i % 13 === 0 ? 0 : 1;
      out.push(
        `  -> ${rs.padEnd(28)} ${'Masq'.padEnd(7)} ${String(weight).padEnd(6)} ${String(j % 3).padEnd(10)} ${String((i + j) % 50).padEnd(10)}`,
      );
    }
  }
  return {
    text: linesText(out),
    expect: { virtualServers, realServers: virtualServers * realPerVs },
  };
}

/**
 * `/proc/net/ip_vs` (Linux ip_vs_ctl.c ip_vs_info_seq_show): `"%s  %08X:%04X %s %s "` (scheduler, `ops ` or
 * nothing, one more space) then `persistent %d %08X` or the newline; real servers
 * `"  -> %08X:%04X      %-7s %-6d %-10d %-10d"`. Timeouts are jiffies (HZ=1000 here).
 */
export function procIpVs(virtualServers: number, realPerVs: number): Generated {
  const out: string[] = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn',
  ];
  for (let i = 0; i < virtualServers; i++) {
    const vs = syntheticVs(i);
    const port = vs.port.toString(16).toUpperCase().padStart(4, '0');
    out.push(
      `${vs.protocol}  ${ipv4Hex(10, 200, vs.vip)}:${port} rr  ${vs.persistent ? 'persistent 10800000 FFFFFFFF' : ''}`,
    );
    for (let j = 0; j < realPerVs; j++) {
      const weight = j === realPerVs - 1 && i % 13 === 0 ? 0 : 1;
      out.push(
        `  -> ${ipv4Hex(10, 10, rsOffset(i, j, realPerVs))}:1F90      ${'Masq'.padEnd(7)} ${String(weight).padEnd(6)} ${String(j % 3).padEnd(10)} ${String((i + j) % 50).padEnd(10)}`,
      );
    }
  }
  return {
    text: linesText(out),
    expect: { virtualServers, realServers: virtualServers * realPerVs },
  };
}

/** Zero-padded base-36 id, so generated chain names sort like iptables-nft's name-sorted declarations. */
function chainId(i: number, suffix = ''): string {
  return `${i.toString(36).toUpperCase().padStart(14, '0')}${suffix}`;
}

const SAVE_STAMP = 'Mon Dec  1 08:00:00 2025';

/**
 * `iptables-save` (iptables 1.8.9, nf_tables) of about `lines` lines: one `*nat` table with the kube-proxy
 * base chains and, per service, iptables-mode style KUBE-SVC-/KUBE-SEP- chains (two endpoints each), so
 * the rules carry quoted and bare comments, `!` negations, statistic and DNAT options. Declarations come
 * first (built-ins, then user chains sorted by name), then rules grouped by chain in the same order.
 */
export function iptablesSave(lines: number): Generated {
  // Per service: 3 declarations + 1 KUBE-SERVICES rule + 3 SVC rules + 4 SEP rules = 11 lines.
  const services = Math.max(1, Math.floor((lines - 40) / 11));
  const sepRules: string[] = [];
  const servicesRules: string[] = [];
  const svcRules: string[] = [];
  const sepDecl: string[] = [];
  const svcDecl: string[] = [];
  for (let i = 0; i < services; i++) {
    const svc = `KUBE-SVC-${chainId(i)}`;
    const vip = ipv4(10, 200, i);
    const name = `ns-${i % 97}/svc-${i}:http`;
    svcDecl.push(`:${svc} - [0:0]`);
    servicesRules.push(
      `-A KUBE-SERVICES -d ${vip}/32 -p tcp -m comment --comment "${name} cluster IP" -m tcp --dport 80 -j ${svc}`,
    );
    svcRules.push(
      `-A ${svc} ! -s 10.10.0.0/16 -d ${vip}/32 -p tcp -m comment --comment "${name} cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ`,
    );
    for (let j = 0; j < 2; j++) {
      const sep = `KUBE-SEP-${chainId(i, String(j))}`;
      const ep = ipv4(10, 10, i * 2 + j + 2);
      sepDecl.push(`:${sep} - [0:0]`);
      svcRules.push(
        j === 0
          ? `-A ${svc} -m comment --comment "${name} -> ${ep}:8080" -m statistic --mode random --probability 0.50000000000 -j ${sep}`
          : `-A ${svc} -m comment --comment "${name} -> ${ep}:8080" -j ${sep}`,
      );
      sepRules.push(`-A ${sep} -s ${ep}/32 -m comment --comment ${name} -j KUBE-MARK-MASQ`);
      sepRules.push(
        `-A ${sep} -p tcp -m comment --comment ${name} -m tcp -j DNAT --to-destination ${ep}:8080`,
      );
    }
  }
  // concat, not push(...spread): tens of thousands of arguments overflow the stack.
  const decl = [
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':KUBE-KUBELET-CANARY - [0:0]',
    ':KUBE-MARK-MASQ - [0:0]',
    ':KUBE-NODE-PORT - [0:0]',
    ':KUBE-POSTROUTING - [0:0]',
  ].concat(sepDecl, [':KUBE-SERVICES - [0:0]'], svcDecl);
  const base = [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
    '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ',
    '-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  ];
  const servicesTail = [
    '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
    '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
  ];
  const out = [`# Generated by iptables-save v1.8.9 (nf_tables) on ${SAVE_STAMP}`, '*nat'].concat(
    decl,
    base,
    sepRules,
    servicesRules,
    servicesTail,
    svcRules,
    ['COMMIT', `# Completed on ${SAVE_STAMP}`],
  );
  const rules = base.length + sepRules.length + servicesRules.length + servicesTail.length + svcRules.length;
  return { text: linesText(out), expect: { chains: decl.length, rules } };
}

/**
 * `ipset save` (ipset lib/session.c save mode: `create NAME TYPE <options>` then `add NAME <member>`) with
 * `members` members spread over four kube-proxy sets in their member syntax: hash:ip,port `IP,proto:port`,
 * hash:ip,port,ip `IP,proto:port,IP`, hash:ip `IP`, bitmap:port `port` (at most the NodePort range).
 */
export function ipsetSave(members: number): Generated {
  const nodePorts = Math.min(2768, Math.floor(members / 10));
  const rest = members - nodePorts;
  const clusterIp = Math.floor(rest * 0.45);
  const loopBack = Math.floor(rest * 0.3);
  const ipvsIps = rest - clusterIp - loopBack;
  const maxelem = (n: number) => Math.max(65536, 2 ** Math.ceil(Math.log2(Math.max(1, n))));
  const hashOpts = (n: number, initval: string) =>
    `family inet hashsize 1024 maxelem ${maxelem(n)} bucketsize 12 initval ${initval}`;
  const out: string[] = [];
  out.push(`create KUBE-LOOP-BACK hash:ip,port,ip ${hashOpts(loopBack, '0x5a1c33e1')}`);
  for (let i = 0; i < loopBack; i++) {
    const ep = ipv4(10, 10, i + 2);
    out.push(`add KUBE-LOOP-BACK ${ep},tcp:8080,${ep}`);
  }
  out.push(`create KUBE-CLUSTER-IP hash:ip,port ${hashOpts(clusterIp, '0x0c31ac7a')}`);
  for (let i = 0; i < clusterIp; i++) {
    out.push(`add KUBE-CLUSTER-IP ${ipv4(10, 200, i >> 1)},${i % 2 === 0 ? 'tcp' : 'udp'}:${53 + (i % 3)}`);
  }
  out.push('create KUBE-NODE-PORT-TCP bitmap:port range 0-65535');
  for (let i = 0; i < nodePorts; i++) out.push(`add KUBE-NODE-PORT-TCP ${30000 + i}`);
  out.push(`create KUBE-IPVS-IPS hash:ip ${hashOpts(ipvsIps, '0x7e0f11a2')}`);
  for (let i = 0; i < ipvsIps; i++) out.push(`add KUBE-IPVS-IPS ${ipv4(10, 200, i)}`);
  out.push(
    `create KUBE-6-CLUSTER-IP hash:ip,port family inet6 hashsize 1024 maxelem 65536 bucketsize 12 initval 0x93e4894f`,
  );
  return { text: linesText(out), expect: { sets: 5, members } };
}

/**
 * `ip -d addr show` (iproute2 ip/ipaddress.c) of a node whose kube-ipvs0 holds `addresses` ClusterIPs:
 * lo, kube-ipvs0 (dummy) and eth0@if19 (veth), each address with its `valid_lft` line.
 */
export function ipAddrText(addresses: number): Generated {
  const out = [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000',
    '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 ',
    '    inet 127.0.0.1/8 scope host lo',
    '       valid_lft forever preferred_lft forever',
    '3: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default ',
    '    link/ether 22:76:01:f0:71:9f brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 0 maxmtu 0 ',
    '    dummy addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 ',
  ];
  for (let i = 0; i < addresses; i++) {
    out.push(`    inet ${ipv4(10, 200, i + 1)}/32 scope global kube-ipvs0`);
    out.push('       valid_lft forever preferred_lft forever');
  }
  out.push(
    '18: eth0@if19: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default ',
    '    link/ether 02:42:ac:12:00:04 brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 0 minmtu 68 maxmtu 65535 ',
    '    veth addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 ',
    '    inet 172.18.0.4/16 brd 172.18.255.255 scope global eth0',
    '       valid_lft forever preferred_lft forever',
  );
  return { text: linesText(out), expect: { interfaces: 3, addresses: addresses + 2 } };
}

/** The same node as `ipAddrText`, as the one-line JSON of `ip -j -d addr show`. */
export function ipAddrJson(addresses: number): Generated {
  const forever = 4294967295;
  const a4 = (local: string, prefixlen: number, label: string, scope = 'global') => ({
    family: 'inet',
    local,
    prefixlen,
    scope,
    label,
    valid_life_time: forever,
    preferred_life_time: forever,
  });
  const doc = [
    {
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
      addr_info: [a4('127.0.0.1', 8, 'lo', 'host')],
    },
    {
      ifindex: 3,
      ifname: 'kube-ipvs0',
      flags: ['BROADCAST', 'NOARP'],
      mtu: 1500,
      qdisc: 'noop',
      operstate: 'DOWN',
      group: 'default',
      link_type: 'ether',
      address: '22:76:01:f0:71:9f',
      broadcast: 'ff:ff:ff:ff:ff:ff',
      linkinfo: { info_kind: 'dummy' },
      addr_info: Array.from({ length: addresses }, (_, i) => a4(ipv4(10, 200, i + 1), 32, 'kube-ipvs0')),
    },
    {
      ifindex: 18,
      link_index: 19,
      ifname: 'eth0',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: 1500,
      qdisc: 'noqueue',
      operstate: 'UP',
      group: 'default',
      link_type: 'ether',
      address: '02:42:ac:12:00:04',
      broadcast: 'ff:ff:ff:ff:ff:ff',
      link_netnsid: 0,
      linkinfo: { info_kind: 'veth' },
      addr_info: [{ ...a4('172.18.0.4', 16, 'eth0'), broadcast: '172.18.255.255' }],
    },
  ];
  return { text: fresh(`${JSON.stringify(doc)}\n`), expect: { interfaces: 3, addresses: addresses + 2 } };
}

const CONF_KEYS = ['arp_announce', 'arp_ignore', 'forwarding', 'route_localnet', 'rp_filter'];

/** `sysctl -a`-style `key = value` lines (procps-ng), per-interface net.ipv4.conf keys of many veths. */
export function sysctlLines(lines: number): Generated {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const key = CONF_KEYS[i % CONF_KEYS.length] ?? 'arp_ignore';
    out.push(
      `net.ipv4.conf.veth${Math.floor(i / CONF_KEYS.length)
        .toString(16)
        .padStart(8, '0')}.${key} = ${i % 3}`,
    );
  }
  return { text: linesText(out), expect: { values: lines } };
}
