import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBundle } from '../helpers/bundle/load.ts';
import { redactCredentials } from '../helpers/bundle/redact.ts';
import { renderModelBundle } from './model/index.ts';

const path = new URL('../baseline/bundle-v0.24.0.json', import.meta.url);

describe('the committed baseline bundle', () => {
  it('is a valid bundle of the reference pair', () => {
    const b = parseBundle(readFileSync(path, 'utf8'), 'baseline/bundle-v0.24.0.json');
    expect([b.requested.kindVersion, b.fingerprint.serverVersion]).toEqual(['v0.24.0', 'v1.31.0']);
  });

  it('holds nothing credential-shaped (no kubeconfig data, keys, certificates or tokens)', () => {
    expect(redactCredentials(readFileSync(path, 'utf8')).found).toEqual([]);
  });

  it('equals the current model while it is the model-sourced placeholder (refresh with npm run bundle:model)', () => {
    const b = parseBundle(readFileSync(path, 'utf8'));
    if (b.source !== 'model') return; // a live baseline is refreshed from a green run, not from the model
    expect(b).toEqual(renderModelBundle());
  });
});
