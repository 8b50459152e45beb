import { ParseError } from './errors.ts';
import type { ProcIpVsTable } from './types.ts';

/** STUB: to be implemented. */
export function parseProcIpVs(text: string): ProcIpVsTable {
  throw new ParseError('proc-ip-vs', 1, text.split('\n')[0] ?? '', 'not implemented');
}
