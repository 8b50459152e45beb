import { ParseError } from './errors.ts';
import type { IpvsTable } from './types.ts';

/** STUB: to be implemented. */
export function parseIpvsadm(text: string): IpvsTable {
  throw new ParseError('ipvsadm', 1, text.split('\n')[0] ?? '', 'not implemented');
}
