import { ParseError } from './errors.ts';
import type { IptablesState } from './types.ts';

/** STUB: to be implemented. */
export function parseIptablesSave(text: string): IptablesState {
  throw new ParseError('iptables-save', 1, text.split('\n')[0] ?? '', 'not implemented');
}
