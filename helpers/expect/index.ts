/** The pure expectation checks (no vitest import: usable from CLIs and the mutation run). */
export * from './findings.ts';
export * from './ipset.ts';
export * from './iptables.ts';
export * from './iptables-rule.ts';
export * from './ipvs.ts';
export * from './kube-ipvs0.ts';
export * from './proxy-mode.ts';
export * from './service-model.ts';
export * from './sysctl.ts';
