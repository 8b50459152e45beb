import { describe, expect, it } from 'vitest';
import { kubernetesVersionOfImage, loadKindVersions, pairForKind, parseKindVersions } from './versions.ts';

const IMG = 'kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865';

describe('kind/versions.json', () => {
  it('loads the checked-in file and pairs the reference kind with v1.31.0', () => {
    const v = loadKindVersions();
    expect(v.reference).toBe('v0.24.0');
    expect(pairForKind(v, 'v0.24.0')?.image).toBe(IMG);
    expect(pairForKind(v, 'v0.99.0')).toBeNull();
  });

  it('refuses an image without a digest', () => {
    const text = JSON.stringify({
      reference: 'v0.24.0',
      pairs: [{ kind: 'v0.24.0', image: 'kindest/node:v1.31.0', matrix: true }],
    });
    expect(() => parseKindVersions(text)).toThrow(/pairs\.0\.image: must be kindest\/node:vX\.Y\.Z@sha256/);
  });

  it('refuses a reference without a pair and duplicate kind versions', () => {
    const pair = { kind: 'v0.24.0', image: IMG, matrix: true };
    expect(() => parseKindVersions(JSON.stringify({ reference: 'v0.25.0', pairs: [pair] }))).toThrow(
      /reference v0\.25\.0 has no pair/,
    );
    expect(() => parseKindVersions(JSON.stringify({ reference: 'v0.24.0', pairs: [pair, pair] }))).toThrow(
      /listed twice/,
    );
    expect(() => parseKindVersions('{')).toThrow(/not JSON/);
  });

  it('reads the Kubernetes version of a node image', () => {
    expect(kubernetesVersionOfImage(IMG)).toBe('v1.31.0');
    expect(kubernetesVersionOfImage('busybox:1')).toBeNull();
  });
});
