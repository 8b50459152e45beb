import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The marker line that separates a fixture's source header from the verbatim output (as in shared/captures). */
export const VERBATIM_MARKER = '# ---- BEGIN VERBATIM OUTPUT (everything below this line) ----';

export interface FixtureFile {
  /** Header lines (source, context, caveats), without their leading `# `. */
  readonly header: readonly string[];
  /** Everything after the marker line, exactly as in the file. */
  readonly body: string;
}

/** Splits a fixture on the marker (never on `#`: an iptables-save body has `#` lines). */
export function splitFixture(text: string, name = 'fixture'): FixtureFile {
  const at = text.indexOf(`${VERBATIM_MARKER}\n`);
  if (at < 0)
    throw new Error(`${name}: no "${VERBATIM_MARKER}" line; every fixture must cite its source above it`);
  const header = text
    .slice(0, at)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.replace(/^# ?/, ''));
  if (!header.some((l) => /^(source|SOURCE|DERIVED)\b/.test(l))) {
    throw new Error(`${name}: the header must have a "source:" or "DERIVED" line`);
  }
  return { header, body: text.slice(at + VERBATIM_MARKER.length + 1) };
}

/** Reads `helpers/parse/__fixtures__/<name>` (test support; fixtures are committed files). */
export function loadFixture(name: string): FixtureFile {
  const path = fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
  return splitFixture(readFileSync(path, 'utf8'), name);
}
