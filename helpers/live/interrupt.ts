/** The slice of `process` the guard needs (a fake in tests, so no real signal is ever raised there). */
export interface SignalTarget {
  once(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  kill(pid: number, signal: NodeJS.Signals): unknown;
  readonly pid: number;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * While a live run is in flight, Ctrl-C or SIGTERM would skip its teardown and leave behind a
 * kind cluster the suite created. This runs `cleanUp` first (bounded by the caller), then raises
 * the same signal again so the process still ends the way the user asked. Returns the disposer
 * that removes the guard once the run's own teardown is done.
 */
export function guardInterruption(
  cleanUp: (signal: NodeJS.Signals) => Promise<void>,
  target: SignalTarget = process,
): () => void {
  const remove = (): void => {
    for (const s of SIGNALS) target.off(s, onSignal);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    void cleanUp(signal)
      .catch(() => undefined)
      .finally(() => target.kill(target.pid, signal));
  };
  for (const s of SIGNALS) target.once(s, onSignal);
  return remove;
}
