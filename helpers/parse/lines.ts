/** One line of an input text, numbered the way ParseError reports it. */
export interface NumberedLine {
  /** 1-based line number in the text given to the parser. */
  readonly number: number;
  /** The line without its `\n` (and without a `\r` before it, so CRLF captures parse the same). */
  readonly text: string;
}

/**
 * Iterates over the lines of `text` with 1-based numbers. A final newline does not make an extra
 * empty line (tool output always ends with one); an empty text has no lines. Scans with indexOf
 * instead of split so a 100k-line table is walked once without an intermediate array.
 */
export function* numberedLines(text: string): Generator<NumberedLine, void, undefined> {
  let start = 0;
  let number = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop -= 1;
    number += 1;
    yield { number, text: text.slice(start, stop) };
    start = end + 1;
  }
}
