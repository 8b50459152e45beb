/**
 * The model bundle: what a conformant live run of the reference config records (DESIGN.md §2, §4). Pure: the same
 * model gives byte-identical output, and `renderModelBundle()` always renders the same bundle.
 */
import {
  BUNDLE_FORMAT_VERSION,
  type Bundle,
  type NodeSectionName,
  type NodeSnapshot,
  type Section,
  type Snapshot,
} from '../../helpers/bundle/types.ts';
import { IPSET_COMMAND, SECTION_SPECS } from '../../helpers/live/node-snapshot.ts';
import { buildModelCluster } from './cluster.ts';
import {
  boundClusterIPs,
  clusterIpMembers,
  ipvsTable,
  loopBackMembers,
  nodePortTcpMembers,
  stateByLabel,
} from './derive.ts';
import { renderApiObjects } from './render-api.ts';
import { interfaceNames, renderIpAddr } from './render-ip-addr.ts';
import { renderIpsetSave } from './render-ipset.ts';
import {
  renderIp6tablesSaveIptablesMode,
  renderIp6tablesSaveIpvs,
  renderIptablesSaveIptablesMode,
  renderIptablesSaveIpvs,
} from './render-iptables-save.ts';
import { renderKubeProxyConfig, renderKubeProxyMetrics } from './render-kube-proxy.ts';
import { renderProcIpVs } from './render-proc-ip-vs.ts';
import { renderSysctl } from './render-sysctl.ts';
import { renderTraffic } from './render-traffic.ts';
import type { ModelCluster, ModelNode, ModelState } from './types.ts';

function ok(command: string, text: string): Section {
  return { status: 'ok', command, text };
}

/** All nine sections of one node in one state. */
export function renderNodeSnapshot(
  model: ModelCluster,
  state: ModelState,
  node: ModelNode,
  index: number,
): NodeSnapshot {
  const ipvs = model.proxyMode === 'ipvs';
  const bound = ipvs ? boundClusterIPs(model) : null;
  const ifaces = interfaceNames(node, state, bound !== null);
  const sysctl = renderSysctl(model, node, ifaces);
  const members: Record<string, string[]> = ipvs
    ? {
        'KUBE-LOOP-BACK': loopBackMembers(model, state, node),
        'KUBE-CLUSTER-IP': clusterIpMembers(model),
        'KUBE-NODE-PORT-TCP': nodePortTcpMembers(model),
        'KUBE-IPVS-IPS': bound ?? [],
      }
    : {};
  const sections: Record<NodeSectionName, Section> = {
    'proc-ip-vs': ok(SECTION_SPECS['proc-ip-vs'].command, renderProcIpVs(ipvsTable(model, state, node))),
    'iptables-save': ok(
      SECTION_SPECS['iptables-save'].command,
      ipvs ? renderIptablesSaveIpvs(model, state, node) : renderIptablesSaveIptablesMode(model, state, node),
    ),
    'ip6tables-save': ok(
      SECTION_SPECS['ip6tables-save'].command,
      ipvs ? renderIp6tablesSaveIpvs(state) : renderIp6tablesSaveIptablesMode(state),
    ),
    // kube-proxy in iptables mode creates no sets, so `ipset save` prints nothing.
    'ipset-save': ok(IPSET_COMMAND, ipvs ? renderIpsetSave(node.name, members) : ''),
    'ip-addr': ok(SECTION_SPECS['ip-addr'].command, renderIpAddr(node, state, bound)),
    sysctl: ok(sysctl.command, sysctl.text),
    // /proxyMode answers without a trailing newline.
    'proxy-mode': ok(SECTION_SPECS['proxy-mode'].command, model.proxyMode),
    metrics: ok(
      SECTION_SPECS.metrics.command,
      renderKubeProxyMetrics(model, index, Math.floor(Date.parse(state.takenAt) / 1000) - 3),
    ),
    kernel: ok(SECTION_SPECS.kernel.command, `${model.kernel}\n`),
  };
  return { node: node.name, sections };
}

/** One snapshot of the whole cluster. */
export function renderSnapshot(model: ModelCluster, state: ModelState): Snapshot {
  return {
    label: state.label,
    takenAt: state.takenAt,
    api: renderApiObjects(model, state),
    nodes: model.nodes.map((n, i) => renderNodeSnapshot(model, state, n, i)),
  };
}

/** Renders a bundle from any model cluster (mutants of the model data use this too). */
export function renderBundle(model: ModelCluster, source = 'model'): Bundle {
  const snapshots = model.states.map((s) => renderSnapshot(model, s));
  const traffic = renderTraffic(model, stateByLabel(model, 'initial'));
  const execs =
    snapshots.reduce((sum, s) => sum + s.nodes.length * 9, 0) +
    traffic.filter((t) => t.fromNode !== 'host').length;
  return {
    formatVersion: BUNDLE_FORMAT_VERSION,
    source,
    createdAt: model.createdAt,
    requested: {
      kindConfig: model.kindConfig,
      kindVersion: model.kindVersion,
      nodeImage: model.nodeImage,
      namespace: model.namespace,
    },
    fingerprint: {
      kindVersion: model.kindVersion,
      nodeImage: model.nodeImage,
      serverVersion: model.serverVersion,
      kubeProxyImage: model.kubeProxyImage,
      kernel: model.kernel,
      kubeProxyConfig: renderKubeProxyConfig(model),
    },
    snapshots,
    traffic,
    // Invented but plausible durations of a kind v0.24 run on a GitHub runner.
    timings: [
      { stage: 'preflight', ms: 840 },
      { stage: 'create', ms: 74210 },
      { stage: 'deploy', ms: 21350 },
      { stage: 'traffic', ms: 8120 },
      { stage: 'observe', ms: 5630 },
    ],
    counters: { execs, apiCalls: 64 },
    failure: null,
  };
}

/** The conformant model bundle (DESIGN.md §2): pure, deterministic, timestamps fixed. */
export function renderModelBundle(): Bundle {
  return renderBundle(buildModelCluster());
}
