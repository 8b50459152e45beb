import { z } from 'zod';
import type { ApiObjects } from '../api/types.ts';
import { BUNDLE_FORMAT_VERSION, type Bundle, NODE_SECTIONS } from './types.ts';

/**
 * The bundle's runtime schema. It is checked against the TypeScript types with `satisfies`, so the
 * two cannot drift: a field added to types.ts without being added here is a type error.
 */
const str = z.string();
const labels = z.record(z.string(), z.string());
const protocol = z.enum(['TCP', 'UDP', 'SCTP']);

const apiObjects = z.object({
  serverVersion: z.object({ gitVersion: str }),
  nodes: z.array(
    z.object({
      name: str,
      role: z.enum(['control-plane', 'worker']),
      labels,
      podCIDR: str.nullable(),
      podCIDRs: z.array(str),
      internalIP: str.nullable(),
      ready: z.boolean(),
      kubeletVersion: str,
      kernelVersion: str,
      osImage: str,
      containerRuntimeVersion: str,
    }),
  ),
  services: z.array(
    z.object({
      namespace: str,
      name: str,
      type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']),
      clusterIP: str.nullable(),
      clusterIPs: z.array(str),
      ports: z.array(
        z.object({
          name: str.nullable(),
          protocol,
          port: z.number().int(),
          targetPort: z.union([z.number().int(), str]),
          nodePort: z.number().int().nullable(),
        }),
      ),
      sessionAffinity: z.enum(['None', 'ClientIP']),
      affinityTimeoutSeconds: z.number().int().nullable(),
      externalTrafficPolicy: z.enum(['Cluster', 'Local']).nullable(),
      internalTrafficPolicy: z.enum(['Cluster', 'Local']).nullable(),
      selector: labels.nullable(),
    }),
  ),
  endpointSlices: z.array(
    z.object({
      namespace: str,
      name: str,
      serviceName: str,
      addressType: z.enum(['IPv4', 'IPv6', 'FQDN']),
      ports: z.array(z.object({ name: str.nullable(), port: z.number().int(), protocol })),
      endpoints: z.array(
        z.object({
          addresses: z.array(str),
          ready: z.boolean(),
          serving: z.boolean(),
          terminating: z.boolean(),
          nodeName: str.nullable(),
          targetPod: str.nullable(),
        }),
      ),
    }),
  ),
  pods: z.array(
    z.object({
      namespace: str,
      name: str,
      nodeName: str.nullable(),
      podIP: str.nullable(),
      podIPs: z.array(str),
      phase: str,
      ready: z.boolean(),
      hostNetwork: z.boolean(),
      labels,
    }),
  ),
  kubeProxyConfig: str.nullable(),
  kubeadmClusterConfiguration: str.nullable(),
  events: z.array(
    z.object({
      namespace: str,
      type: str,
      reason: str,
      message: str,
      involvedObject: z.object({ kind: str, name: str, namespace: str.nullable() }),
    }),
  ),
}) satisfies z.ZodType<ApiObjects>;

const section = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), command: str, text: str }),
  z.object({ status: z.literal('absent'), command: str, reason: str }),
]);

const sections = z.object(
  Object.fromEntries(NODE_SECTIONS.map((name) => [name, section])) as Record<
    (typeof NODE_SECTIONS)[number],
    typeof section
  >,
);

export const bundleSchema = z.object({
  formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
  source: str,
  createdAt: str,
  requested: z.object({ kindConfig: str, kindVersion: str, nodeImage: str, namespace: str }),
  fingerprint: z.object({
    kindVersion: str,
    nodeImage: str,
    serverVersion: str,
    kubeProxyImage: str,
    kernel: str,
    kubeProxyConfig: str,
  }),
  snapshots: z.array(
    z.object({
      label: str,
      takenAt: str,
      api: apiObjects,
      nodes: z.array(z.object({ node: str, sections })),
    }),
  ),
  traffic: z.array(
    z.object({
      kind: z.enum(['clusterip', 'nodeport-host', 'nodeport-pod']),
      fromNode: str,
      client: str,
      service: str,
      target: str,
      answers: z.array(str.nullable()),
      errors: z.array(str),
    }),
  ),
  timings: z.array(z.object({ stage: str, ms: z.number() })),
  counters: z.object({ execs: z.number().int(), apiCalls: z.number().int() }),
  failure: z.object({ stage: str, message: str }).nullable(),
}) satisfies z.ZodType<Bundle>;
