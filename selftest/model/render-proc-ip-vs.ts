/**
 * `/proc/net/ip_vs` text, byte for byte as the kernel's ip_vs_info_seq_show() prints it (reference §5.2):
 * upper-case host-order hex, a non-ops service line ending in two spaces, fixed-width destination columns.
 */
import type { ModelVirtualServer } from './derive.ts';
import { ipv4Hex, portHex } from './net.ts';

const HEADER =
  'IP Virtual Server version 1.2.1 (size=4096)\n' +
  'Prot LocalAddress:Port Scheduler Flags\n' +
  '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n';

/** Renders a node's table (already in kernel hash order); an empty table is the header alone. */
export function renderProcIpVs(table: readonly ModelVirtualServer[]): string {
  let out = HEADER;
  for (const vs of table) {
    // "%s  %08X:%04X %s %s " with the flags string "" (no ops), then "\n" (not persistent).
    out += `${vs.protocol}  ${ipv4Hex(vs.address)}:${portHex(vs.port)} ${vs.scheduler}  \n`;
    for (const rs of vs.realServers) {
      out +=
        `  -> ${ipv4Hex(rs.address)}:${portHex(rs.port)}      ${'Masq'.padEnd(7, ' ')} ` +
        `${String(rs.weight).padEnd(6, ' ')} ${String(rs.activeConns).padEnd(10, ' ')} ${String(rs.inactConns).padEnd(10, ' ')}\n`;
    }
  }
  return out;
}
