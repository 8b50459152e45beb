/** The parsers, one module per format. Each throws ParseError (with the line) on anything it does not understand. */
export { ParseError } from './errors.ts';
export { parseIpAddr } from './ip-addr.ts';
export { parseIpset } from './ipset.ts';
export { parseIptablesSave } from './iptables-save.ts';
export { parseIpvsadm } from './ipvsadm.ts';
export { parseProcIpVs } from './proc-ip-vs.ts';
export { parseSysctl } from './sysctl.ts';
export type * from './types.ts';
