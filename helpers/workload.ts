/**
 * Names and numbers of the workloads the suite deploys. The live shell (manifests/), the model
 * cluster (selftest/) and the suites all read them from here, so a rename cannot drift.
 */
export const WORKLOAD = {
  /** Namespace the suite creates, labels and deletes; it never touches another one. */
  namespace: 'ipvs-conformance',
  /** Label put on everything the suite creates. */
  ownerLabel: { key: 'app.kubernetes.io/managed-by', value: 'kind-ipvs-conformance' },
  echo: {
    deployment: 'echo',
    /** One backend per worker (required pod anti-affinity on the hostname). */
    replicas: 3,
    /** After the scale-down step. */
    scaledReplicas: 2,
    labels: { app: 'echo' },
    /** agnhost netexec default HTTP port; GET /hostname answers with the pod name. */
    containerPort: 8080,
  },
  clusterIpService: { name: 'echo-clusterip', port: 80 },
  nodePortService: { name: 'echo-nodeport', port: 80, nodePort: 30000 },
  /** One client pod per node, named `client-<node name>`. */
  clientPrefix: 'client-',
  /** Requests per traffic sample: 20 full rr cycles over 3 backends. */
  requestsPerSample: 60,
} as const;

export function clientPodName(nodeName: string): string {
  return `${WORKLOAD.clientPrefix}${nodeName}`;
}
