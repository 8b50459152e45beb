// Runs allurerc.mjs's categories through Allure's own matcher (@allurereport/core-api, installed
// with `allure` at the same pinned version) so the named categories are proven to catch the
// messages the suites produce, and to miss the ones they must not catch.
import {
  type CategoriesConfig,
  type CategoryMatchingData,
  matchCategory,
  normalizeCategoriesConfig,
} from '@allurereport/core-api';
import { describe, expect, test } from 'vitest';
import { ParseError } from '../parse/errors.ts';
import { FAILURE_PREFIX } from './report.ts';

async function loadCategories(): Promise<CategoriesConfig> {
  // A computed specifier keeps tsc from demanding type declarations for the .mjs file.
  const url = new URL('../../allurerc.mjs', import.meta.url).href;
  const module: unknown = await import(url);
  const config = (module as { default?: { categories?: CategoriesConfig } }).default;
  if (config?.categories === undefined) throw new Error('allurerc.mjs has no default export with categories');
  return config.categories;
}

async function categoryOf(data: Partial<CategoryMatchingData>): Promise<string | undefined> {
  const definitions = normalizeCategoriesConfig(await loadCategories());
  return matchCategory(definitions, { status: 'failed', labels: [], flaky: false, ...data })?.name;
}

describe('allurerc.mjs categories', () => {
  test.for([
    [
      `${FAILURE_PREFIX.ipvsDeprecated} kube-proxy v1.36 logs that IPVS mode is deprecated`,
      'IPVS deprecated / gated off',
    ],
    [`${FAILURE_PREFIX.ipvsGatedOff} feature gate IPVSProxyMode=false`, 'IPVS deprecated / gated off'],
    [`${FAILURE_PREFIX.clusterCreation} kind exited 1`, 'Cluster creation failed'],
    ['feature gate MultiCIDRServiceAllocator not recognised by v1.36.1', 'Cluster creation failed'],
    [`${FAILURE_PREFIX.proxyModeNotIpvs} node kind-worker reports iptables`, 'Kube-proxy not in IPVS mode'],
  ] as const)('%s -> %s', async ([message, category]) => {
    expect(await categoryOf({ message })).toBe(category);
  });

  test('a ParseError is found by its stack trace, since its message lacks the class name', async () => {
    const error = new ParseError('ipvsadm', 3, 'garbage', 'not a virtual server line');
    expect(error.message).not.toContain('ParseError');
    expect(await categoryOf({ status: 'broken', message: error.message, trace: error.stack ?? '' })).toBe(
      'Parser could not read tool output',
    );
  });

  test('a skip with the gated-off reason is categorised, a skip for another reason is not', async () => {
    expect(await categoryOf({ status: 'skipped', message: `${FAILURE_PREFIX.ipvsGatedOff} x` })).toBe(
      'IPVS deprecated / gated off',
    );
    expect(await categoryOf({ status: 'skipped', message: 'needs 2 workers' })).toBeUndefined();
  });

  test('a prefix in the middle of a message does not count, and plain failures fall to the defaults', async () => {
    expect(await categoryOf({ message: `expected x: ${FAILURE_PREFIX.ipvsDeprecated}` })).toBe(
      'Product errors',
    );
    expect(await categoryOf({ message: 'expected 2 to be 3' })).toBe('Product errors');
    expect(await categoryOf({ status: 'broken', message: 'TypeError: x is undefined' })).toBe('Test errors');
  });

  test('a passed test is never put in a named category', async () => {
    expect(
      await categoryOf({ status: 'passed', message: `${FAILURE_PREFIX.clusterCreation} x` }),
    ).toBeUndefined();
  });
});
