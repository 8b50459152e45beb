import { ParseError } from './errors.ts';
import type { SysctlState } from './types.ts';

const FORMAT = 'sysctl';

// sysctl prints `key = value`; a value may be empty (`key = `, often saved without the trailing space)
// or hold tabs (`net.ipv4.ip_local_port_range = 32768\t60999`), kept verbatim.
const KEY = /^[^\s=]+$/;
const BLANK = /^\s*$/;

/**
 * Parses the `key = value` lines printed by `sysctl key...` into `{ values: { key: value } }`.
 * Blank lines are skipped; anything else (a `sysctl: cannot stat ...` error, `sysctl -n` values,
 * sysctl.conf `key=value` syntax) is a ParseError naming the line.
 */
export function parseSysctl(text: string): SysctlState {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    const eq = line.indexOf(' =');
    const key = eq > 0 ? line.slice(0, eq) : '';
    // `key = value` or `key =` (empty value saved without its trailing space); the key has no blanks or `=`.
    const shaped = eq > 0 && (line.length === eq + 2 || line.charCodeAt(eq + 2) === 32) && isKey(key);
    if (!shaped) {
      if (BLANK.test(line)) continue;
      throw new ParseError(FORMAT, i + 1, line, reasonFor(line));
    }
    const value = line.slice(eq + 3);
    const before: unknown = values[key];
    // One lookup for the common new key; hasOwn only when something (maybe inherited, e.g. `toString`) is there.
    if (before !== undefined && Object.hasOwn(values, key)) {
      if (before !== value) {
        throw new ParseError(
          FORMAT,
          i + 1,
          line,
          `${key} is printed twice with different values (${JSON.stringify(before)} then ${JSON.stringify(value)}): read it once`,
        );
      }
      continue;
    }
    // A plain assignment of `__proto__` would replace the prototype instead of storing the value.
    if (key === '__proto__') {
      Object.defineProperty(values, key, { value, enumerable: true, writable: true, configurable: true });
    } else values[key] = value;
  }
  return { values };
}

/** KEY.test(key), by character for ASCII keys (the regex is left the Unicode blanks `\s` also covers). */
function isKey(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x7f) return KEY.test(key);
    if (c === 0x3d || c === 32 || (c >= 9 && c <= 13)) return false;
  }
  return key.length > 0;
}

function reasonFor(line: string): string {
  if (line.startsWith('sysctl: ')) {
    return 'sysctl reported an error instead of a value (does the key exist in this network namespace?)';
  }
  if (/^\S+=/.test(line)) return 'sysctl.conf syntax `key=value`: expected sysctl output `key = value`';
  if (!line.includes(' = ')) {
    return 'expected `key = value` (output of `sysctl key`; `sysctl -n` prints no keys, run it without -n)';
  }
  return 'expected `key = value` with a key without spaces at the start of the line';
}
