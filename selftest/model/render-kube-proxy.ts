/**
 * kube-proxy's configuration and HTTP outputs, and kubeadm's ClusterConfiguration, as the model cluster holds them.
 *
 * - config.conf: kubeadm marshals the KubeProxyConfiguration (v1alpha1) with sigs.k8s.io/yaml, so keys are sorted
 *   and unset fields print as zero values (`syncPeriod: 0s`, `excludeCIDRs: null`), matching captures 15 and 22.
 *   Content = kind v0.24.0's template (mode, featureGates, iptables.minSyncPeriod 1s, conntrack.maxPerCore 0) +
 *   kubeadm's clusterCIDR/bindAddress + the reference config's patch (metricsBindAddress 0.0.0.0, strictARP true).
 *   kube-proxy appends the default port itself, so the effective metrics address is 0.0.0.0:10249.
 * - ClusterConfiguration: GUESS of kubeadm v1.31's stored form (v1beta4, extraArgs as name/value lists); only
 *   `networking.podSubnet`/`serviceSubnet` are grounded (capture 18).
 * - metrics: the v1.31 names of reference §7 and the DERIVED metrics sample; counter values are invented.
 */
import type { ModelCluster } from './types.ts';

/** The kube-proxy ConfigMap's `config.conf` (also the bundle fingerprint's kubeProxyConfig). */
export function renderKubeProxyConfig(model: ModelCluster): string {
  const gates = Object.keys(model.featureGates)
    .sort()
    .map((k) => `  ${k}: ${String(model.featureGates[k])}\n`)
    .join('');
  return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: ${model.podSubnet}
configSyncPeriod: 0s
conntrack:
  maxPerCore: 0
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: ""
  interfaceNamePrefix: ""
detectLocalMode: ""
enableProfiling: false
${gates.length > 0 ? `featureGates:\n${gates}` : 'featureGates: null\n'}healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 1s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: ${model.configScheduler === '' ? '""' : model.configScheduler}
  strictARP: ${String(model.strictARP)}
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
metricsBindAddress: 0.0.0.0
mode: ${model.configMode}
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForVersion: ""
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: ""
  rootHnsEndpointName: ""
  sourceVip: ""
`;
}

/** `data.ClusterConfiguration` of kube-system/kubeadm-config. */
export function renderKubeadmClusterConfiguration(model: ModelCluster): string {
  const gates = Object.keys(model.featureGates)
    .sort()
    .map((k) => `${k}=${String(model.featureGates[k])}`)
    .join(',');
  const fg = gates.length > 0 ? `  - name: feature-gates\n    value: ${gates}\n` : '';
  return `apiServer:
  certSANs:
  - localhost
  - 127.0.0.1
  extraArgs:
${fg}  - name: runtime-config
    value: api/all=true
apiVersion: kubeadm.k8s.io/v1beta4
caCertificateValidityPeriod: 87600h0m0s
certificateValidityPeriod: 8760h0m0s
certificatesDir: /etc/kubernetes/pki
clusterName: ${model.clusterName}
controlPlaneEndpoint: ${model.clusterName}-control-plane:6443
controllerManager:
  extraArgs:
  - name: bind-address
    value: 0.0.0.0
  - name: enable-hostpath-provisioner
    value: "true"
${fg}dns: {}
encryptionAlgorithm: RSA-2048
etcd:
  local:
    dataDir: /var/lib/etcd
    extraArgs:
    - name: listen-metrics-urls
      value: http://0.0.0.0:2381
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: ${model.serverVersion}
networking:
  dnsDomain: cluster.local
  podSubnet: ${model.podSubnet}
  serviceSubnet: ${model.serviceSubnet}
proxy: {}
scheduler:
  extraArgs:
  - name: bind-address
    value: 0.0.0.0
${fg}`;
}

const BUCKETS = [
  '0.001',
  '0.002',
  '0.004',
  '0.008',
  '0.016',
  '0.032',
  '0.064',
  '0.128',
  '0.256',
  '0.512',
  '1.024',
  '2.048',
  '4.096',
  '8.192',
  '16.384',
  '+Inf',
];

/** An excerpt of kube-proxy's /metrics (Prometheus text), per node; `seed` varies the invented counts. */
export function renderKubeProxyMetrics(model: ModelCluster, seed: number, syncedAtEpoch: number): string {
  const fam = model.metricsIpFamilyLabel ? 'ip_family="IPv4",' : '';
  const famOnly = model.metricsIpFamilyLabel ? '{ip_family="IPv4"}' : '';
  const syncs = 20 + seed;
  const cumulative = [0, 0, 0, 3, 11, 19, syncs - 1, syncs];
  let out =
    '# HELP kubeproxy_sync_proxy_rules_duration_seconds [ALPHA] SyncProxyRules latency in seconds\n' +
    '# TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram\n';
  BUCKETS.forEach((le, i) => {
    out += `kubeproxy_sync_proxy_rules_duration_seconds_bucket{${fam}le="${le}"} ${cumulative[i] ?? syncs}\n`;
  });
  out +=
    `kubeproxy_sync_proxy_rules_duration_seconds_sum${famOnly} ${(0.4 + seed / 100).toFixed(4)}\n` +
    `kubeproxy_sync_proxy_rules_duration_seconds_count${famOnly} ${syncs}\n` +
    '# HELP kubeproxy_sync_proxy_rules_last_timestamp_seconds [ALPHA] The last time proxy rules were successfully synced\n' +
    '# TYPE kubeproxy_sync_proxy_rules_last_timestamp_seconds gauge\n' +
    `kubeproxy_sync_proxy_rules_last_timestamp_seconds${famOnly} ${syncedAtEpoch.toExponential().replace('e+', 'e+0')}\n` +
    '# HELP kubeproxy_sync_proxy_rules_iptables_restore_failures_total [ALPHA] Cumulative proxy iptables restore failures\n' +
    '# TYPE kubeproxy_sync_proxy_rules_iptables_restore_failures_total counter\n' +
    'kubeproxy_sync_proxy_rules_iptables_restore_failures_total 0\n' +
    '# HELP kubeproxy_sync_proxy_rules_no_local_endpoints_total [ALPHA] Number of services with a Local traffic policy and no endpoints\n' +
    '# TYPE kubeproxy_sync_proxy_rules_no_local_endpoints_total gauge\n' +
    `kubeproxy_sync_proxy_rules_no_local_endpoints_total{${fam}traffic_policy="external"} 0\n` +
    `kubeproxy_sync_proxy_rules_no_local_endpoints_total{${fam}traffic_policy="internal"} 0\n` +
    '# HELP kubeproxy_sync_proxy_rules_endpoint_changes_total [ALPHA] Cumulative proxy rules Endpoint changes\n' +
    '# TYPE kubeproxy_sync_proxy_rules_endpoint_changes_total counter\n' +
    `kubeproxy_sync_proxy_rules_endpoint_changes_total ${12 + seed}\n` +
    '# HELP kubeproxy_sync_proxy_rules_service_changes_total [ALPHA] Cumulative proxy rules Service changes\n' +
    '# TYPE kubeproxy_sync_proxy_rules_service_changes_total counter\n' +
    'kubeproxy_sync_proxy_rules_service_changes_total 12\n' +
    '# HELP kubeproxy_proxy_healthz_total [ALPHA] Cumulative proxy healthz HTTP status\n' +
    '# TYPE kubeproxy_proxy_healthz_total counter\n' +
    `kubeproxy_proxy_healthz_total{code="200"} ${30 + seed}\n`;
  return out;
}
