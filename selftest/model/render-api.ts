/** The API objects of one model state, in the typed subset of helpers/api/types.ts. */
import type { ApiEndpointSlice, ApiNode, ApiObjects, ApiPod, ApiService } from '../../helpers/api/types.ts';
import { readyEndpoints } from './derive.ts';
import { renderKubeadmClusterConfiguration, renderKubeProxyConfig } from './render-kube-proxy.ts';
import type { ModelCluster, ModelState } from './types.ts';

function apiNodes(model: ModelCluster): ApiNode[] {
  return model.nodes.map((n) => ({
    name: n.name,
    role: n.role,
    labels: { ...n.labels },
    podCIDR: n.podCIDR,
    podCIDRs: [n.podCIDR],
    internalIP: n.internalIP,
    ready: n.ready,
    kubeletVersion: n.kubeletVersion,
    kernelVersion: model.kernel,
    osImage: model.osImage,
    containerRuntimeVersion: model.containerRuntimeVersion,
  }));
}

function apiServices(model: ModelCluster): ApiService[] {
  return model.services.map((s) => ({
    namespace: s.namespace,
    name: s.name,
    type: s.type,
    clusterIP: s.clusterIP,
    clusterIPs: [s.clusterIP],
    ports: s.ports.map((p) => ({
      name: p.name,
      protocol: p.protocol,
      port: p.port,
      targetPort: p.targetPort,
      nodePort: p.nodePort,
    })),
    sessionAffinity: 'None',
    affinityTimeoutSeconds: null,
    // The apiserver defaults externalTrafficPolicy only for externally reachable types.
    externalTrafficPolicy: s.type === 'NodePort' ? 'Cluster' : null,
    internalTrafficPolicy: 'Cluster',
    selector: s.selector === null ? null : { ...s.selector },
  }));
}

function apiSlices(model: ModelCluster, state: ModelState): ApiEndpointSlice[] {
  return model.services.map((s) => ({
    namespace: s.namespace,
    name: s.sliceName,
    serviceName: s.name,
    addressType: 'IPv4',
    ports: s.ports.map((p) => ({ name: p.name, port: p.targetPort, protocol: p.protocol })),
    endpoints: readyEndpoints(model, state, s).map((e) => ({
      addresses: [e.address],
      ready: true,
      serving: true,
      terminating: false,
      nodeName: e.nodeName,
      targetPod: e.pod ? `${e.pod.namespace}/${e.pod.name}` : null,
    })),
  }));
}

function apiPods(state: ModelState): ApiPod[] {
  return state.pods.map((p) => ({
    namespace: p.namespace,
    name: p.name,
    nodeName: p.nodeName,
    podIP: p.ip,
    podIPs: p.ip === null ? [] : [p.ip],
    phase: p.phase,
    ready: p.ready,
    hostNetwork: p.hostNetwork,
    labels: { ...p.labels },
  }));
}

/** Renders the ApiObjects of a state. */
export function renderApiObjects(model: ModelCluster, state: ModelState): ApiObjects {
  return {
    serverVersion: { gitVersion: model.serverVersion },
    nodes: apiNodes(model),
    services: apiServices(model),
    endpointSlices: apiSlices(model, state),
    pods: apiPods(state),
    kubeProxyConfig: renderKubeProxyConfig(model),
    kubeadmClusterConfiguration: renderKubeadmClusterConfiguration(model),
    events: state.events.map((e) => ({ ...e, involvedObject: { ...e.involvedObject } })),
  };
}
