import { parse } from 'yaml';
import { z } from 'zod';
import type { Finding } from './finding.ts';

/** The fields of a KubeProxyConfiguration the suite judges (kube-proxy's ConfigMap `config.conf`). */
export interface KubeProxyConfigView {
  readonly mode: string;
  readonly strictARP: boolean | null;
  readonly scheduler: string;
  readonly featureGates: Readonly<Record<string, boolean>>;
  readonly metricsBindAddress: string | null;
}

const schema = z.object({
  kind: z.literal('KubeProxyConfiguration'),
  mode: z.string().nullish(),
  metricsBindAddress: z.string().nullish(),
  featureGates: z.record(z.string(), z.boolean()).nullish(),
  ipvs: z.object({ strictARP: z.boolean().nullish(), scheduler: z.string().nullish() }).nullish(),
});

/** Reads the judged fields; throws an Error naming the problem on text that is not a KubeProxyConfiguration. */
export function readKubeProxyConfig(yamlText: string): KubeProxyConfigView {
  const parsed = schema.safeParse(parse(yamlText));
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`kube-proxy ConfigMap config.conf is not a KubeProxyConfiguration: ${why}`);
  }
  const c = parsed.data;
  return {
    mode: c.mode ?? '',
    strictARP: c.ipvs?.strictARP ?? null,
    // kube-proxy treats an empty scheduler as its default, rr.
    scheduler: c.ipvs?.scheduler || 'rr',
    featureGates: c.featureGates ?? {},
    metricsBindAddress: c.metricsBindAddress ?? null,
  };
}

/** The ConfigMap must say what the kind config asked for: the proxy mode and strictARP. */
export function judgeKubeProxyConfig(
  yamlText: string | null,
  expected: { readonly mode: string; readonly strictARP: boolean },
): Finding[] {
  const subject = 'configmap/kube-system/kube-proxy';
  if (yamlText === null) {
    return [
      {
        check: 'kube-proxy-configmap',
        subject,
        expected: 'data["config.conf"] present',
        observed: 'absent',
        message: 'the kube-proxy ConfigMap (or its config.conf) was not found',
      },
    ];
  }
  let view: KubeProxyConfigView;
  try {
    view = readKubeProxyConfig(yamlText);
  } catch (e) {
    return [
      {
        check: 'kube-proxy-configmap',
        subject,
        expected: 'a KubeProxyConfiguration',
        observed: 'unreadable',
        message: (e as Error).message,
      },
    ];
  }
  const findings: Finding[] = [];
  if (view.mode !== expected.mode) {
    findings.push({
      check: 'kube-proxy-mode-config',
      subject,
      expected: `mode: ${expected.mode}`,
      observed: `mode: ${view.mode || '(empty: iptables)'}`,
      message: `the kube-proxy ConfigMap does not select ${expected.mode} mode`,
    });
  }
  if (view.strictARP !== expected.strictARP) {
    findings.push({
      check: 'strict-arp-config',
      subject,
      expected: `ipvs.strictARP: ${expected.strictARP}`,
      observed: `ipvs.strictARP: ${view.strictARP ?? '(unset: false)'}`,
      message: 'the kube-proxy ConfigMap does not carry the strictARP the kind config patches in',
    });
  }
  return findings;
}
