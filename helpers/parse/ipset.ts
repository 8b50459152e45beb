import { ParseError } from './errors.ts';
import type { IpsetState } from './types.ts';

/** STUB: to be implemented. */
export function parseIpset(text: string): IpsetState {
  throw new ParseError('ipset', 1, text.split('\n')[0] ?? '', 'not implemented');
}
