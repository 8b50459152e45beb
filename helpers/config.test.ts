import { describe, expect, it } from 'vitest';
import { ConfigError, parseSuiteConfig } from './config.ts';

describe('parseSuiteConfig', () => {
  it('gives the defaults for an empty environment', () => {
    expect(parseSuiteConfig({})).toEqual({
      clusterName: 'ipvs-conformance',
      reuse: false,
      keep: false,
      nodeImage: null,
      allowForeignContext: false,
      bundlePath: null,
      reportsDir: 'reports',
      kindConfigPath: 'kind/cluster-ipvs.yaml',
    });
  });

  it('reads every variable', () => {
    const config = parseSuiteConfig({
      KIND_IPVS_CLUSTER: 'my-ipvs.1',
      KIND_IPVS_REUSE: '1',
      KIND_IPVS_KEEP: 'true',
      KIND_IPVS_NODE_IMAGE:
        'kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865',
      KIND_IPVS_ALLOW_FOREIGN_CONTEXT: '1',
      KIND_IPVS_REPORTS_DIR: 'out/reports',
    });
    expect(config).toMatchObject({
      clusterName: 'my-ipvs.1',
      reuse: true,
      keep: true,
      allowForeignContext: true,
      reportsDir: 'out/reports',
      nodeImage:
        'kindest/node:v1.31.0@sha256:53df588e04085fd41ae12de0c3fe4c72f7013bba32a20e7325357a1ac94ba865',
    });
  });

  it('treats empty and 0 switches as off', () => {
    expect(parseSuiteConfig({ KIND_IPVS_REUSE: '', KIND_IPVS_KEEP: '0' })).toMatchObject({
      reuse: false,
      keep: false,
    });
  });

  it('accepts a replay bundle with only the reports dir', () => {
    expect(parseSuiteConfig({ KIND_IPVS_BUNDLE: 'b.json', KIND_IPVS_REPORTS_DIR: 'r' })).toMatchObject({
      bundlePath: 'b.json',
      reportsDir: 'r',
    });
  });

  it('accepts a registry with a port and a tag-only image', () => {
    expect(parseSuiteConfig({ KIND_IPVS_NODE_IMAGE: 'localhost:5000/kindest/node:v1.36.1' }).nodeImage).toBe(
      'localhost:5000/kindest/node:v1.36.1',
    );
  });

  it.each([
    [{ KIND_IPVS_REUSE: 'yes' }, /KIND_IPVS_REUSE="yes" is not a switch/],
    [{ KIND_IPVS_KEEP: '2' }, /KIND_IPVS_KEEP="2" is not a switch/],
    [{ KIND_IPVS_CLUSTER: 'My_Cluster' }, /not a valid kind cluster name/],
    [{ KIND_IPVS_CLUSTER: 'a'.repeat(51) }, /at most 50/],
    [{ KIND_IPVS_CLUSTER: ' ipvs' }, /white space/],
    [{ KIND_IPVS_NODE_IMAGE: 'kindest/node' }, /tag or digest/],
    [{ KIND_IPVS_NODE_IMAGE: 'kindest/node:v1.31.0@sha256:abc' }, /tag or digest/],
    [{ KIND_IPVS_BUNDLE: 'b.json', KIND_IPVS_REUSE: '1' }, /KIND_IPVS_REUSE only apply to a live run/],
    [
      { KIND_IPVS_BUNDLE: 'b.json', KIND_IPVS_NODE_IMAGE: 'kindest/node:v1.31.0' },
      /KIND_IPVS_NODE_IMAGE only/,
    ],
    [{ KIND_IPVS_ALLOW_FOREIGN_CONTEXT: '1' }, /only makes sense with KIND_IPVS_REUSE=1/],
  ])('refuses %j', (env, message) => {
    expect(() => parseSuiteConfig(env)).toThrow(ConfigError);
    expect(() => parseSuiteConfig(env)).toThrow(message);
  });
});
