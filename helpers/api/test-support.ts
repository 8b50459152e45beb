import type { ApiNode } from './types.ts';

/** Test support: a Ready v1.31.0 node of `role` with empty details, overridable field by field. */
export function apiNode(name: string, role: ApiNode['role'], extra: Partial<ApiNode> = {}): ApiNode {
  return {
    name,
    role,
    labels: {},
    podCIDR: null,
    podCIDRs: [],
    internalIP: null,
    ready: true,
    kubeletVersion: 'v1.31.0',
    kernelVersion: '',
    osImage: '',
    containerRuntimeVersion: '',
    ...extra,
  };
}
