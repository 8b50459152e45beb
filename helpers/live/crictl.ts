import { shQuote } from './process.ts';

/** Which container on a node to exec into, by the CRI labels the kubelet puts on every container. */
export interface ContainerSelector {
  readonly namespace: string;
  /** Pod name; omitted for a DaemonSet pod, of which there is exactly one per node. */
  readonly pod?: string;
  readonly container: string;
}

/** Exit code the script uses when no running container matches, so callers can tell it from the command's own failure. */
export const NO_CONTAINER_EXIT = 125;

/**
 * A node-side shell script that runs `argv` inside a pod's container through the node's own CRI
 * (`crictl exec`), i.e. what `kubectl exec` does, minus the API server and the client's websocket
 * (which is known to hang). Runs in the node image (crictl + /etc/crictl.yaml ship with it); the
 * inner `timeout` ends the exec inside the node even if the outer transport is killed first.
 *
 * crictl collapses the command's exit code into 1 ("non-zero exit code"), so scripts that need
 * their status report it in-band.
 */
export function crictlExecScript(
  sel: ContainerSelector,
  argv: readonly string[],
  timeoutSeconds: number,
): string {
  const labels = [
    `io.kubernetes.pod.namespace=${sel.namespace}`,
    ...(sel.pod === undefined ? [] : [`io.kubernetes.pod.name=${sel.pod}`]),
    `io.kubernetes.container.name=${sel.container}`,
  ];
  const what =
    sel.pod === undefined
      ? `${sel.namespace}/${sel.container}`
      : `${sel.namespace}/${sel.pod}/${sel.container}`;
  return [
    `id=$(crictl ps -q --state running ${labels.map((l) => `--label ${shQuote(l)}`).join(' ')} | head -n 1)`,
    `if [ -z "$id" ]; then echo ${shQuote(`no running container ${what} on this node (crictl ps found none)`)} >&2; exit ${NO_CONTAINER_EXIT}; fi`,
    `exec timeout ${Math.max(1, Math.floor(timeoutSeconds))} crictl exec "$id" ${argv.map(shQuote).join(' ')}`,
  ].join('\n');
}
