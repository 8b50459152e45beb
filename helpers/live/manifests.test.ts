// Validates manifests/workloads.ts (the unit project collects tests under helpers/ and kind/ only).
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { IMAGES } from '../../kind/images.ts';
import {
  CLIENT_LABELS,
  clientPod,
  clusterIpService,
  echoDeployment,
  nodePortService,
  renderManifests,
  workloads,
} from '../../manifests/workloads.ts';
import { WORKLOAD } from '../workload.ts';

const NODES = [
  'ipvs-conformance-control-plane',
  'ipvs-conformance-worker',
  'ipvs-conformance-worker2',
  'ipvs-conformance-worker3',
];

interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

function docs(): Doc[] {
  return parseAllDocuments(renderManifests(workloads(NODES))).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Doc;
  });
}

// Every pod spec in the rendered YAML (Deployment template and bare pods).
function podSpecs(all: Doc[]): Record<string, unknown>[] {
  return all.flatMap((d) => {
    if (d.kind === 'Pod') return [d.spec as Record<string, unknown>];
    if (d.kind === 'Deployment')
      return [(d.spec as { template: { spec: Record<string, unknown> } }).template.spec];
    return [];
  });
}

describe('workload manifests', () => {
  it('render to YAML that parses back into the expected objects in order', () => {
    expect(docs().map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      `Namespace/${WORKLOAD.namespace}`,
      `Deployment/${WORKLOAD.echo.deployment}`,
      `Service/${WORKLOAD.clusterIpService.name}`,
      `Service/${WORKLOAD.nodePortService.name}`,
      ...NODES.map((n) => `Pod/client-${n}`),
    ]);
  });

  it('put everything in the suite namespace with the owner label', () => {
    for (const d of docs()) {
      expect(d.metadata.labels?.[WORKLOAD.ownerLabel.key]).toBe(WORKLOAD.ownerLabel.value);
      if (d.kind !== 'Namespace') expect(d.metadata.namespace).toBe(WORKLOAD.namespace);
    }
    expect(docs()[0]?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('run the echo backends as the workload contract says', () => {
    const d = echoDeployment();
    expect(d.spec?.replicas).toBe(WORKLOAD.echo.replicas);
    expect(d.spec?.selector.matchLabels).toEqual(WORKLOAD.echo.labels);
    const pod = d.spec?.template.spec;
    const anti = pod?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    expect(anti).toEqual([
      { labelSelector: { matchLabels: WORKLOAD.echo.labels }, topologyKey: 'kubernetes.io/hostname' },
    ]);
    expect(
      pod?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    ).toEqual([
      { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] },
    ]);
    const c = pod?.containers[0];
    expect(c?.ports?.[0]?.containerPort).toBe(WORKLOAD.echo.containerPort);
    expect(c?.readinessProbe?.httpGet).toEqual({ path: '/hostname', port: WORKLOAD.echo.containerPort });
    expect(c?.args).toContain('netexec');
    expect(echoDeployment(WORKLOAD.echo.scaledReplicas).spec?.replicas).toBe(2);
  });

  it('expose echo on the contract ports', () => {
    expect(clusterIpService().spec).toMatchObject({
      type: 'ClusterIP',
      selector: WORKLOAD.echo.labels,
      ports: [
        { port: WORKLOAD.clusterIpService.port, targetPort: WORKLOAD.echo.containerPort, protocol: 'TCP' },
      ],
    });
    expect(nodePortService().spec).toMatchObject({
      type: 'NodePort',
      externalTrafficPolicy: 'Cluster',
      ports: [
        {
          port: WORKLOAD.nodePortService.port,
          targetPort: WORKLOAD.echo.containerPort,
          nodePort: WORKLOAD.nodePortService.nodePort,
        },
      ],
    });
    expect(clusterIpService().spec?.ports?.[0]).not.toHaveProperty('nodePort');
  });

  it('pin one client pod to each node, the control-plane included', () => {
    const p = clientPod('ipvs-conformance-control-plane');
    expect(p.metadata?.name).toBe('client-ipvs-conformance-control-plane');
    expect(p.spec?.nodeName).toBe('ipvs-conformance-control-plane');
    expect(p.metadata?.labels).toMatchObject(CLIENT_LABELS);
    expect(p.spec?.tolerations).toContainEqual({
      key: 'node-role.kubernetes.io/control-plane',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
  });

  it('use only images pinned in kind/images.ts, by digest', () => {
    const images = podSpecs(docs()).flatMap((s) => (s.containers as { image: string }[]).map((c) => c.image));
    expect(images.length).toBe(1 + NODES.length);
    for (const image of images) {
      expect(Object.values(IMAGES)).toContain(image);
      expect(image).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
  });

  it('are unprivileged: no hostNetwork/hostPID/hostIPC, no privileged containers, non-root, no capabilities', () => {
    for (const spec of podSpecs(docs())) {
      expect(spec.hostNetwork ?? false).toBe(false);
      expect(spec.hostPID ?? false).toBe(false);
      expect(spec.hostIPC ?? false).toBe(false);
      expect(spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const c of spec.containers as { securityContext: Record<string, unknown> }[]) {
        expect(c.securityContext).toMatchObject({
          privileged: false,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
      }
    }
  });
});
