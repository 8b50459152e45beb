import { describe, expect, it } from 'vitest';
import { apiNode } from '../api/test-support.ts';
import { imageKubernetesVersion, judgeNodeInventory, judgeServerVersion } from './preflight.ts';

const image = 'kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865';
const node = apiNode;
const four = [node('c', 'control-plane'), node('w', 'worker'), node('w2', 'worker'), node('w3', 'worker')];

describe('judgeServerVersion', () => {
  it('reads the Kubernetes version of a pinned image', () => {
    expect(imageKubernetesVersion(image)).toBe('v1.31.0');
    expect(imageKubernetesVersion('kindest/node:v1.37.0-rc.1')).toBe('v1.37.0-rc.1');
    expect(imageKubernetesVersion('kindest/node@sha256:abc')).toBeNull();
  });

  it('passes when server, kubelets and image agree', () => {
    expect(
      judgeServerVersion({
        requestedImage: image,
        recordedImage: image,
        serverVersion: 'v1.31.0',
        nodes: four,
      }),
    ).toEqual([]);
  });

  it('finds a silent fallback to another version, with expected and observed', () => {
    const f = judgeServerVersion({
      requestedImage: image,
      recordedImage: image,
      serverVersion: 'v1.30.4',
      nodes: [node('w', 'worker', { kubeletVersion: 'v1.30.4' })],
    });
    expect(f.map((x) => [x.check, x.expected, x.observed])).toEqual([
      ['server-version', 'v1.31.0', 'v1.30.4'],
      ['kubelet-version', 'v1.31.0', 'v1.30.4'],
    ]);
  });

  it('finds a cluster created from another image', () => {
    const f = judgeServerVersion({
      requestedImage: image,
      recordedImage: 'kindest/node:v1.31.0',
      serverVersion: 'v1.31.0',
      nodes: four,
    });
    expect(f.map((x) => x.check)).toEqual(['node-image']);
  });
});

describe('judgeNodeInventory', () => {
  it('passes on 1 control-plane and 3 Ready workers', () => {
    expect(judgeNodeInventory({ 'control-plane': 1, worker: 3 }, four)).toEqual([]);
  });

  it('finds a missing worker and a node that is not Ready', () => {
    const f = judgeNodeInventory({ 'control-plane': 1, worker: 3 }, [
      node('c', 'control-plane', { ready: false }),
      node('w', 'worker'),
      node('w2', 'worker'),
    ]);
    expect(f.map((x) => `${x.check} ${x.subject} ${x.observed}`)).toEqual([
      'node-count role/worker 2 (w, w2)',
      'node-ready node/c not Ready',
    ]);
  });

  it('names the missing node when it knows the names kind gives', () => {
    const f = judgeNodeInventory({ 'control-plane': 1, worker: 3 }, four.slice(0, 3), ['c', 'w', 'w2', 'w3']);
    expect(f.map((x) => x.message)).toEqual(['the cluster has 2 worker node(s) instead of 3 (missing w3)']);
  });
});
