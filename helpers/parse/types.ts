/**
 * Parsed shapes of every data-plane format. These are contracts: the parse CLI prints them as JSON
 * (DESIGN.md section 4), the expectation helpers judge them and the model cluster renders text that
 * must parse back into them. Extra fields are allowed; renaming one is a breaking change.
 */

export type IpvsProtocol = 'TCP' | 'UDP' | 'SCTP';

/** Optional per-row counters of `ipvsadm -Ln --stats` / `--rate` (suffixes K/M/G/T already expanded). */
export interface IpvsCounters {
  readonly conns?: number;
  readonly inPkts?: number;
  readonly outPkts?: number;
  readonly inBytes?: number;
  readonly outBytes?: number;
  readonly cps?: number;
  readonly inPps?: number;
  readonly outPps?: number;
  readonly inBps?: number;
  readonly outBps?: number;
}

export interface IpvsRealServer {
  readonly address: string;
  readonly port: number;
  readonly forward: 'Masq' | 'Local' | 'Route' | 'Tunnel';
  readonly weight: number;
  readonly activeConns: number;
  readonly inactiveConns: number;
  readonly stats?: IpvsCounters;
  /** `PersistConn` column of `ipvsadm -Ln --persistent-conn` (only that form has it). */
  readonly persistentConns?: number;
  /** `Uthreshold` column of `ipvsadm -Ln --thresholds` (only that form has it). */
  readonly upperThreshold?: number;
  /** `Lthreshold` column of `ipvsadm -Ln --thresholds` (only that form has it). */
  readonly lowerThreshold?: number;
}

export interface IpvsVirtualServer {
  readonly protocol: IpvsProtocol | 'FWM';
  /** IPv4 dotted quad or IPv6 text; for FWM services the firewall mark in decimal. */
  readonly address: string;
  /** 0 for FWM services. */
  readonly port: number;
  readonly scheduler: string;
  /** `persistent N` seconds, or null when the service is not persistent. */
  readonly persistent: number | null;
  /** Remaining flags printed after the scheduler (e.g. `ops`, `mask`, scheduler flags). */
  readonly flags: readonly string[];
  readonly realServers: readonly IpvsRealServer[];
  readonly stats?: IpvsCounters;
  /**
   * Address family of an FWM service, which its address (the mark) cannot tell: `ipvsadm` prints
   * `FWM  5 IPv6` for IPv6 marks. Set only for FWM services whose source shows it (not /proc/net/ip_vs).
   */
  readonly family?: 'inet' | 'inet6';
}

/** `ipvsadm -Ln` (any of its list forms). */
export interface IpvsTable {
  readonly version: string | null;
  readonly connectionTableSize: number | null;
  /**
   * Set only when the text was one of ipvsadm's column forms (`--stats`, `--rate`, `--thresholds`,
   * `--persistent-conn`) instead of the plain list. Those forms do not print every column of the
   * plain list, and the fields they lack hold placeholders (see parseIpvsadm): never judge
   * scheduler, persistence, forward, weight or connection counts of a table that has `listForm`.
   */
  readonly listForm?: 'stats' | 'rate' | 'thresholds' | 'persistent-conn';
  readonly virtualServers: readonly IpvsVirtualServer[];
}

export interface ProcIpVsVirtualServer extends Omit<IpvsVirtualServer, 'persistent'> {
  /** Raw persistence timeout from /proc (jiffies = seconds * HZ), or null. */
  readonly persistentJiffies: number | null;
  /** The netmask printed after the timeout (hex), or null. */
  readonly persistentNetmask: string | null;
}

/** `/proc/net/ip_vs`. */
export interface ProcIpVsTable {
  readonly version: string | null;
  readonly connectionTableSize: number | null;
  readonly virtualServers: readonly ProcIpVsVirtualServer[];
}

export interface IpSet {
  readonly name: string;
  readonly type: string;
  /** Header fields as printed (`family`, `hashsize`, `maxelem`, `range`, `bucketsize`, `initval`, ...). */
  readonly header: Readonly<Record<string, string>>;
  readonly revision: number | null;
  readonly sizeInMemory: number | null;
  readonly references: number | null;
  /** `Number of entries:` from `ipset list`; null for `ipset save` or when absent. */
  readonly declaredEntries: number | null;
  /** Members exactly as listed (order kept; compare as sets). */
  readonly members: readonly string[];
}

/** `ipset list` or `ipset save`. */
export interface IpsetState {
  readonly sets: readonly IpSet[];
}

export interface IptablesRule {
  /** The rule line exactly as printed (`-A CHAIN ...`), without a leading `[pkts:bytes]` counter. */
  readonly text: string;
  readonly chain: string;
  /** `-j` target, or `-g` goto target, or null for rules without one. */
  readonly target: string | null;
  readonly jump: 'jump' | 'goto' | null;
  /** Text of `-m comment --comment`, unquoted and unescaped, or null. */
  readonly comment: string | null;
  /** Counters from `iptables-save -c` (`[pkts:bytes]` prefix), or null. */
  readonly counters: { readonly packets: number; readonly bytes: number } | null;
  /** The rule split into argv the way iptables-restore would (quotes removed). */
  readonly args: readonly string[];
}

export interface IptablesChain {
  /** Built-in policy (`ACCEPT`/`DROP`), or null for user chains (`-`). */
  readonly policy: string | null;
  readonly counters: { readonly packets: number; readonly bytes: number } | null;
  readonly rules: readonly IptablesRule[];
}

export interface IptablesTable {
  readonly chains: Readonly<Record<string, IptablesChain>>;
}

/** `iptables-save` / `ip6tables-save` (any backend). */
export interface IptablesState {
  readonly tables: Readonly<Record<string, IptablesTable>>;
}

export interface IpInterface {
  readonly name: string;
  readonly index: number | null;
  /** Link kind (`dummy`, `veth`, ...) when the output carries it (`ip -d`, `ip -j -d`), else null. */
  readonly type: string | null;
  readonly state: string;
  readonly flags: readonly string[];
  /** Addresses with prefix length, e.g. `10.200.1.1/32`, `fe80::1/64`. */
  readonly addresses: readonly string[];
}

/** `ip addr show` text or `ip -j addr` JSON. */
export interface IpAddrState {
  readonly interfaces: readonly IpInterface[];
}

/** `sysctl a.b.c` output lines `a.b.c = v` (and `sysctl -n` is not supported: keys are required). */
export interface SysctlState {
  readonly values: Readonly<Record<string, string>>;
}
