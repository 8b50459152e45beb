import { ParseError } from './errors.ts';
import type { SysctlState } from './types.ts';

/** STUB: to be implemented. */
export function parseSysctl(text: string): SysctlState {
  throw new ParseError('sysctl', 1, text.split('\n')[0] ?? '', 'not implemented');
}
