import { describe, expect, it } from 'vitest';
import { BundleError, parseBundle, snapshotOf } from './load.ts';

describe('parseBundle', () => {
  it('refuses a bundle of an unknown format version, naming both versions', () => {
    expect(() => parseBundle(JSON.stringify({ formatVersion: 99 }), 'old.json')).toThrow(
      /old\.json: unknown bundle format version 99; this suite reads version 1/,
    );
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseBundle('{', 'x.json')).toThrow(BundleError);
  });

  it('names the missing fields of a structurally wrong bundle', () => {
    expect(() => parseBundle(JSON.stringify({ formatVersion: 1, source: 'live' }), 'b.json')).toThrow(
      /b\.json: not a valid observation bundle:[\s\S]*createdAt/,
    );
  });

  it('names the snapshot a test needs when the bundle lacks it', () => {
    const bundle = { snapshots: [{ label: 'initial' }] } as unknown as Parameters<typeof snapshotOf>[0];
    expect(() => snapshotOf(bundle, 'after-scale-down')).toThrow(
      "the bundle has no 'after-scale-down' snapshot (it has: initial)",
    );
  });
});
