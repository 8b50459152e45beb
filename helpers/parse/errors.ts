/**
 * The one error every parser throws on input it does not understand. `line` is 1-based in the
 * input text that was given to the parser; `text` is that line verbatim (so a report can show it).
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    readonly format: string,
    readonly line: number,
    readonly text: string,
    readonly reason: string,
  ) {
    super(`${format}: line ${line}: ${reason}: ${JSON.stringify(text)}`);
  }
}
