import {
  ApiException,
  AppsV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  Observable,
  type ObservableMiddleware,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
  type V1DaemonSet,
  type V1Deployment,
  type V1Namespace,
  type V1Pod,
  type V1Service,
  VersionApi,
} from '@kubernetes/client-node';
import { TIMEOUTS } from '../timeouts.ts';
import type { CallCounter } from './process.ts';

/** An API call that failed, timed out or answered with an error status; names the call and the status. */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  constructor(
    readonly call: string,
    /** HTTP status, or null for a transport failure or timeout. */
    readonly status: number | null,
    reason: string,
  ) {
    super(`API ${call}: ${reason}`);
  }
}

/** The `message` of a Kubernetes Status body, when the error carries one. */
export function statusMessage(body: unknown): string | null {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() === '' ? null : body.slice(0, 300);
    }
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    'message' in value &&
    typeof value.message === 'string'
  ) {
    return value.message;
  }
  return null;
}

// Puts the abort signal on the request so a timeout really closes the socket (node-fetch honours it).
function signalOptions(signal: AbortSignal): ConfigurationOptions<ObservableMiddleware> {
  return {
    middleware: [
      {
        pre: (ctx) => {
          ctx.setSignal(signal);
          return new Observable(Promise.resolve(ctx));
        },
        post: (res) => new Observable(Promise.resolve(res)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/**
 * The Kubernetes API calls the live run makes (client-node 1.4, object-parameter API), each with a
 * hard timeout, counted, and failing with ApiCallError. The kubeconfig stays in this object's memory.
 */
export class KubeApi {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly discovery: DiscoveryV1Api;
  private readonly version: VersionApi;

  constructor(
    kubeconfigText: string,
    private readonly counter: CallCounter,
    private readonly timeoutMs: number = TIMEOUTS.apiCallMs,
  ) {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigText);
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.discovery = kc.makeApiClient(DiscoveryV1Api);
    this.version = kc.makeApiClient(VersionApi);
  }

  /** Runs one call with the deadline; 404 becomes null when `allowNotFound`. */
  private async call<T>(
    name: string,
    fn: (o: ConfigurationOptions<ObservableMiddleware>) => Promise<T>,
  ): Promise<T> {
    this.counter.apiCalls++;
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ac.abort();
        reject(new ApiCallError(name, null, `no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([fn(signalOptions(ac.signal)), deadline]);
    } catch (e: unknown) {
      if (e instanceof ApiCallError) throw e;
      if (e instanceof ApiException) {
        throw new ApiCallError(
          name,
          e.code,
          `HTTP ${e.code}${statusMessage(e.body) ? `: ${statusMessage(e.body)}` : ''}`,
        );
      }
      throw new ApiCallError(name, null, e instanceof Error ? e.message : String(e));
    } finally {
      clearTimeout(timer);
    }
  }

  private async orNull<T>(p: Promise<T>): Promise<T | null> {
    try {
      return await p;
    } catch (e: unknown) {
      if (e instanceof ApiCallError && e.status === 404) return null;
      throw e;
    }
  }

  serverVersion() {
    return this.call('GET /version', (o) => this.version.getCode(undefined, o));
  }
  listNodes() {
    return this.call('list nodes', (o) => this.core.listNode({}, o));
  }
  listServices() {
    return this.call('list services (all namespaces)', (o) => this.core.listServiceForAllNamespaces({}, o));
  }
  listEndpointSlices() {
    return this.call('list endpointslices (all namespaces)', (o) =>
      this.discovery.listEndpointSliceForAllNamespaces({}, o),
    );
  }
  listPods() {
    return this.call('list pods (all namespaces)', (o) => this.core.listPodForAllNamespaces({}, o));
  }
  listNamespacedPods(namespace: string, labelSelector?: string) {
    return this.call(`list pods in ${namespace}`, (o) =>
      this.core.listNamespacedPod(
        labelSelector === undefined ? { namespace } : { namespace, labelSelector },
        o,
      ),
    );
  }
  listEvents() {
    return this.call('list events (all namespaces)', (o) =>
      this.core.listEventForAllNamespaces({ limit: 1000 }, o),
    );
  }
  readConfigMap(namespace: string, name: string): Promise<V1ConfigMap | null> {
    return this.orNull(
      this.call(`read configmap ${namespace}/${name}`, (o) =>
        this.core.readNamespacedConfigMap({ name, namespace }, o),
      ),
    );
  }
  readDaemonSet(namespace: string, name: string): Promise<V1DaemonSet | null> {
    return this.orNull(
      this.call(`read daemonset ${namespace}/${name}`, (o) =>
        this.apps.readNamespacedDaemonSet({ name, namespace }, o),
      ),
    );
  }
  readNamespace(name: string): Promise<V1Namespace | null> {
    return this.orNull(this.call(`read namespace ${name}`, (o) => this.core.readNamespace({ name }, o)));
  }
  readDeployment(namespace: string, name: string): Promise<V1Deployment | null> {
    return this.orNull(
      this.call(`read deployment ${namespace}/${name}`, (o) =>
        this.apps.readNamespacedDeployment({ name, namespace }, o),
      ),
    );
  }
  createNamespace(body: V1Namespace) {
    return this.call(`create namespace ${body.metadata?.name}`, (o) =>
      this.core.createNamespace({ body }, o),
    );
  }
  createConfigMap(namespace: string, body: V1ConfigMap) {
    return this.call(`create configmap ${namespace}/${body.metadata?.name}`, (o) =>
      this.core.createNamespacedConfigMap({ namespace, body }, o),
    );
  }
  createDeployment(namespace: string, body: V1Deployment) {
    return this.call(`create deployment ${namespace}/${body.metadata?.name}`, (o) =>
      this.apps.createNamespacedDeployment({ namespace, body }, o),
    );
  }
  createService(namespace: string, body: V1Service) {
    return this.call(`create service ${namespace}/${body.metadata?.name}`, (o) =>
      this.core.createNamespacedService({ namespace, body }, o),
    );
  }
  createPod(namespace: string, body: V1Pod) {
    return this.call(`create pod ${namespace}/${body.metadata?.name}`, (o) =>
      this.core.createNamespacedPod({ namespace, body }, o),
    );
  }
  /** Sets the replica count through the scale subresource (merge patch, like `kubectl scale`). */
  scaleDeployment(namespace: string, name: string, replicas: number) {
    return this.call(`scale deployment ${namespace}/${name} to ${replicas}`, (o) =>
      this.apps.patchNamespacedDeploymentScale(
        { name, namespace, body: { spec: { replicas } } },
        // client-node picks json-patch as the default patch type; the merge-patch header overrides it.
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch, o),
      ),
    );
  }
  /** Deletes a namespace (foreground is not needed: the run polls until it is gone). Missing is fine. */
  async deleteNamespace(name: string): Promise<void> {
    await this.orNull(this.call(`delete namespace ${name}`, (o) => this.core.deleteNamespace({ name }, o)));
  }
}

/** The public surface of KubeApi, so tests can hand the live run a fake. */
export type KubeApiLike = { readonly [K in keyof KubeApi]: KubeApi[K] };
