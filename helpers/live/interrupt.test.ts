import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { guardInterruption, type SignalTarget } from './interrupt.ts';

class FakeProcess extends EventEmitter implements SignalTarget {
  readonly pid = 4242;
  readonly killed: string[] = [];
  kill(_pid: number, signal: NodeJS.Signals): boolean {
    this.killed.push(signal);
    return true;
  }
}

describe('guardInterruption', () => {
  it('cleans up first, then raises the same signal again, and only once', async () => {
    const p = new FakeProcess();
    const order: string[] = [];
    guardInterruption(async (s) => {
      order.push(`clean ${s}`);
    }, p);
    p.emit('SIGINT', 'SIGINT');
    p.emit('SIGTERM', 'SIGTERM');
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['clean SIGINT']);
    expect(p.killed).toEqual(['SIGINT']);
    expect(p.listenerCount('SIGTERM')).toBe(0);
  });

  it('still re-raises when the clean-up fails', async () => {
    const p = new FakeProcess();
    guardInterruption(async () => {
      throw new Error('kind delete failed');
    }, p);
    p.emit('SIGTERM', 'SIGTERM');
    await new Promise((r) => setImmediate(r));
    expect(p.killed).toEqual(['SIGTERM']);
  });

  it('leaves no listener behind once disposed', () => {
    const p = new FakeProcess();
    guardInterruption(async () => undefined, p)();
    expect([p.listenerCount('SIGINT'), p.listenerCount('SIGTERM')]).toEqual([0, 0]);
  });
});
