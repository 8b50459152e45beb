/** The model cluster: its data, the per-format renderers and the conformant bundle. */
export {
  buildModelCluster,
  CLUSTER_NAME,
  echoPodName,
  MODEL_CREATED_AT,
  SCALED_DOWN_WORKER,
} from './cluster.ts';
export * from './derive.ts';
export { renderBundle, renderModelBundle, renderNodeSnapshot, renderSnapshot } from './render-bundle.ts';
export type * from './types.ts';
