/**
 * Typed builders of everything the suite deploys: the namespace, the echo Deployment, its two
 * Services and one client pod per node. Names and ports come from helpers/workload.ts, images from
 * kind/images.ts. Every workload runs unprivileged under the `restricted` Pod Security level, which
 * the namespace enforces, so a privileged pod would be refused by the API server itself.
 */
import type {
  V1Container,
  V1Deployment,
  V1Namespace,
  V1Pod,
  V1PodSecurityContext,
  V1SecurityContext,
  V1Service,
} from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { WORKLOAD } from '../helpers/workload.ts';
import { IMAGES } from '../kind/images.ts';

const NS = WORKLOAD.namespace;
const OWNER = { [WORKLOAD.ownerLabel.key]: WORKLOAD.ownerLabel.value };

/** Container names, used by the live run to find containers through crictl. */
export const CONTAINERS = { echo: 'echo', client: 'client' } as const;

/** Labels of the client pods. */
export const CLIENT_LABELS = { app: 'client' } as const;

// nobody: agnhost's image runs as root by default; netexec (port 8080) and curl need no privileges.
const POD_SECURITY: V1PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 65534,
  runAsGroup: 65534,
  seccompProfile: { type: 'RuntimeDefault' },
};
const CONTAINER_SECURITY: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};
const RESOURCES = { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } };

/** The suite's namespace, labelled as the suite's own and enforcing Pod Security `restricted`. */
export function namespace(): V1Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: NS,
      labels: {
        ...OWNER,
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  };
}

function echoContainer(): V1Container {
  return {
    name: CONTAINERS.echo,
    image: IMAGES.agnhost,
    // UDP is off: the suite only measures TCP (a fixed UDP source port would pin one backend).
    args: ['netexec', `--http-port=${WORKLOAD.echo.containerPort}`, '--udp-port=-1'],
    ports: [{ name: 'http', containerPort: WORKLOAD.echo.containerPort, protocol: 'TCP' }],
    // /hostname is what the traffic samples read, so Ready means "answers the way the samples need".
    readinessProbe: {
      httpGet: { path: '/hostname', port: WORKLOAD.echo.containerPort },
      periodSeconds: 2,
      failureThreshold: 1,
      timeoutSeconds: 1,
    },
    securityContext: CONTAINER_SECURITY,
    resources: RESOURCES,
  };
}

/**
 * The echo Deployment: one agnhost netexec backend per worker (required anti-affinity on the
 * hostname, required node affinity away from the control-plane).
 */
export function echoDeployment(replicas: number = WORKLOAD.echo.replicas): V1Deployment {
  const podLabels = { ...WORKLOAD.echo.labels, ...OWNER };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: WORKLOAD.echo.deployment, namespace: NS, labels: podLabels },
    spec: {
      replicas,
      selector: { matchLabels: { ...WORKLOAD.echo.labels } },
      template: {
        metadata: { labels: podLabels },
        spec: {
          // Short grace: the scale-down step waits for the removed backend to leave the IPVS table.
          terminationGracePeriodSeconds: 5,
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY,
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      { key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' },
                    ],
                  },
                ],
              },
            },
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  labelSelector: { matchLabels: { ...WORKLOAD.echo.labels } },
                  topologyKey: 'kubernetes.io/hostname',
                },
              ],
            },
          },
          containers: [echoContainer()],
        },
      },
    },
  };
}

function echoService(name: string, type: 'ClusterIP' | 'NodePort', nodePort: number | null): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, labels: { ...OWNER } },
    spec: {
      type,
      selector: { ...WORKLOAD.echo.labels },
      sessionAffinity: 'None',
      ...(type === 'NodePort' ? { externalTrafficPolicy: 'Cluster' } : {}),
      ports: [
        {
          name: 'http',
          protocol: 'TCP',
          port: type === 'NodePort' ? WORKLOAD.nodePortService.port : WORKLOAD.clusterIpService.port,
          targetPort: WORKLOAD.echo.containerPort,
          ...(nodePort === null ? {} : { nodePort }),
        },
      ],
    },
  };
}

/** Service echo-clusterip: ClusterIP 80 → 8080. */
export function clusterIpService(): V1Service {
  return echoService(WORKLOAD.clusterIpService.name, 'ClusterIP', null);
}

/** Service echo-nodeport: NodePort 80 → 8080 on nodePort 30000 (mapped to the host by the kind config). */
export function nodePortService(): V1Service {
  return echoService(WORKLOAD.nodePortService.name, 'NodePort', WORKLOAD.nodePortService.nodePort);
}

/**
 * The client pod pinned to one node by nodeName (which bypasses the scheduler, so the
 * control-plane's NoSchedule taint only needs the toleration for correctness of intent).
 * agnhost `pause` idles; its image carries curl and sh for the traffic loop.
 */
export function clientPod(nodeName: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${WORKLOAD.clientPrefix}${nodeName}`,
      namespace: NS,
      labels: { ...CLIENT_LABELS, ...OWNER },
    },
    spec: {
      nodeName,
      terminationGracePeriodSeconds: 1,
      enableServiceLinks: false,
      automountServiceAccountToken: false,
      securityContext: POD_SECURITY,
      tolerations: [
        { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
      ],
      containers: [
        {
          name: CONTAINERS.client,
          image: IMAGES.agnhost,
          args: ['pause'],
          securityContext: CONTAINER_SECURITY,
          resources: RESOURCES,
        },
      ],
    },
  };
}

/** Everything the suite deploys for the given nodes, in creation order. */
export interface Workloads {
  readonly namespace: V1Namespace;
  readonly deployment: V1Deployment;
  readonly services: readonly V1Service[];
  readonly clients: readonly V1Pod[];
}

/** All workloads for a cluster with these node names. */
export function workloads(nodeNames: readonly string[]): Workloads {
  return {
    namespace: namespace(),
    deployment: echoDeployment(),
    services: [clusterIpService(), nodePortService()],
    clients: nodeNames.map(clientPod),
  };
}

/** The workloads as one multi-document YAML text (what `kubectl apply -f -` would take). */
export function renderManifests(w: Workloads): string {
  return [w.namespace, w.deployment, ...w.services, ...w.clients].map((o) => stringify(o)).join('---\n');
}
