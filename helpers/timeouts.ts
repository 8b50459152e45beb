/**
 * Every deadline of the live run in one place. Each wait polls against one of these and, when it
 * expires, names what it waited for; nothing in the live shell sleeps a fixed time.
 */
export const TIMEOUTS = {
  /** `docker info`: a healthy daemon answers in well under a second; a hung socket must not stall preflight. */
  dockerInfoMs: 15_000,
  /** `kind version`, `kind get clusters`, `kind get kubeconfig`: local, instant when the provider is up. */
  kindQueryMs: 30_000,
  /** `kind create cluster` with 4 nodes: node image pull (~1 GB the first time) plus kubeadm init/join. */
  clusterCreateMs: 15 * 60_000,
  /** `kind delete cluster`: stops and removes 4 containers. */
  clusterDeleteMs: 3 * 60_000,
  /** `kind export logs`: journalctl and /var/log of every node copied to the host. */
  exportLogsMs: 5 * 60_000,
  /** All nodes Ready after create: kindnet and kube-proxy must start on every node (no --wait given to kind). */
  nodesReadyMs: 5 * 60_000,
  /** One API request; the JS client has no default timeout and a dead API server would hang forever. */
  apiCallMs: 20_000,
  /** One `docker exec` into a node (snapshot script or crictl); the commands inside are local reads. */
  nodeExecMs: 60_000,
  /** The curl of one request inside a traffic burst (connect + answer) before it counts as failed. */
  requestMs: 5_000,
  /** One traffic burst in one exec: N sequential curl processes at a few ms each, plus slack for slow CI. */
  trafficBurstMs: 3 * 60_000,
  /** Echo pods Ready: agnhost image pull on 3 workers (~60 MB) plus the readiness probe. */
  workloadReadyMs: 5 * 60_000,
  /** kube-proxy programs an endpoint change; it syncs within ~1 s (minSyncPeriod 1s), so a minute is ample. */
  kubeProxySyncMs: 60_000,
  /** Namespace deletion at teardown: finalizers of 7 pods and 2 Services. */
  namespaceDeleteMs: 2 * 60_000,
  /** Interval between two polls of a condition; short because every poll is cheap. */
  pollIntervalMs: 1_000,
  /** The whole vitest conformance run started by `npm test`: create + deploy + traffic + teardown, with slack. */
  wholeRunMs: 60 * 60_000,
  /** A single HTTP request from the host to the mapped NodePort. */
  hostRequestMs: 5_000,
} as const;

/** Name of a deadline in TIMEOUTS. */
export type TimeoutName = keyof typeof TIMEOUTS;
