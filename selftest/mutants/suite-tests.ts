/**
 * The suite files and test titles the mutants name (exact strings, as the integrator fixed them). A mutant's
 * `expectFailing` must be one of these; the catalogue test also checks the title against the suite file once it
 * exists, so a renamed test cannot leave a mutant pointing at nothing.
 */
export const SUITE_TESTS = {
  'suites/00-preflight.test.ts': [
    'the live run completed every stage',
    'kube-proxy reports proxyMode ipvs on every node',
    'the API server version equals the requested node image',
    'the cluster has 1 control-plane and 3 workers, all Ready',
    'every node has the kube-ipvs0 dummy interface, state DOWN',
    'IPVS mode is neither deprecated nor gated off for this Kubernetes version',
  ],
  'suites/ipvs-services.test.ts': [
    'every ClusterIP port has a virtual server on every node with the ready endpoints as real servers',
    'every NodePort has a virtual server on every node address with the ready endpoints as real servers',
    'every virtual server uses the rr scheduler',
    'every ClusterIP is bound to kube-ipvs0 on every node',
    'a scale-down of the echo Deployment is reflected in every node IPVS table',
  ],
  'suites/round-robin.test.ts': [
    'ClusterIP traffic from every node is round-robin over all echo backends',
    'NodePort traffic from the host is round-robin over all echo backends',
    'the NodePort answers on every node address from pods on every node',
  ],
  'suites/nodeport-iptables.test.ts': [
    'KUBE-SERVICES sends local destinations to the nat KUBE-NODE-PORT chain on every node',
    'every nodePort is a member of KUBE-NODE-PORT-TCP on every node',
    'KUBE-NODE-PORT marks NodePort traffic for masquerade with KUBE-MARK-MASQ (mark 0x4000)',
    'KUBE-POSTROUTING masquerades marked packets and KUBE-LOOP-BACK hairpin traffic',
    'KUBE-LOOP-BACK holds exactly the local endpoints on every node',
    'KUBE-CLUSTER-IP holds every ClusterIP port on every node',
    'no iptables-mode service chains exist on any node',
  ],
  'suites/strict-arp.test.ts': [
    'the kube-proxy ConfigMap sets ipvs.strictARP to true',
    'arp_ignore is 1 and arp_announce is 2 for all interfaces on every node',
    'the effective arp_ignore and arp_announce of every interface are strict on every node',
    // Added by the integrator after /tmp/suites.md was written.
    'the IPVS sysctls kube-proxy sets are in place on every node',
  ],
  'suites/layout.test.ts': [
    'kubeadm-config has the configured podSubnet and serviceSubnet',
    'every node podCIDR is a distinct /24 inside the pod subnet',
    'every pod IP is inside its node podCIDR',
    'every ClusterIP is inside the service subnet, kubernetes at .1 and kube-dns at .10',
    'node labels and zones are as configured',
  ],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** A suite file path. */
export type SuiteFile = keyof typeof SUITE_TESTS;
/** A test title of one suite file. */
export type SuiteTest<F extends SuiteFile> = (typeof SUITE_TESTS)[F][number];
