import { ParseError } from './errors.ts';
import type { IpAddrState } from './types.ts';

/** STUB: to be implemented. */
export function parseIpAddr(text: string): IpAddrState {
  throw new ParseError('ip-addr', 1, text.split('\n')[0] ?? '', 'not implemented');
}
