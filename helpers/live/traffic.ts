import { request } from 'node:http';
import type { TrafficKind, TrafficSample } from '../bundle/types.ts';
import { TIMEOUTS } from '../timeouts.ts';
import { WORKLOAD } from '../workload.ts';
import { crictlExecScript } from './crictl.ts';
import { type NodeTransport, newToken } from './node-snapshot.ts';
import { type ExecResult, shQuote, tail } from './process.ts';

/** The answers and failures of one burst, in request order. */
export interface Burst {
  readonly answers: readonly (string | null)[];
  readonly errors: readonly string[];
}

// What /hostname may answer: a pod name (DNS-1123 subdomain). Anything else is not an answer.
const POD_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * The in-pod loop: `count` requests, each a separate curl process, hence a new TCP connection
 * from a new source port (no connection reuse is possible across processes; `Connection: close`
 * also tells the server not to keep it). Each result is one marker line with index, curl exit
 * code and the body (or curl's error) on one line. POSIX sh + curl + tr (+ date for the budget;
 * agnhost's busybox has them).
 *
 * With `budgetS`, no request starts once that many seconds have passed: killing `crictl exec` from
 * outside does not stop the process inside the container, and an orphaned loop would keep hitting
 * the virtual server while the next burst measures its rr order. Without `date` the budget is off.
 */
export function trafficLoopScript(
  token: string,
  url: string,
  count: number,
  requestTimeoutS: number,
  budgetS: number | null = null,
): string {
  const budget =
    budgetS === null
      ? []
      : [
          'now() { date +%s 2>/dev/null || echo 0; }',
          `end=$(( $(now) + ${Math.max(1, Math.floor(budgetS))} ))`,
        ];
  const stop =
    budgetS === null
      ? []
      : [
          `  if [ "$(now)" -ge "$end" ]; then printf '%s budget %s\\n' ${shQuote(`@@kind-ipvs-${token}`)} "$i"; break; fi`,
        ];
  return [
    ...budget,
    'i=0',
    `while [ "$i" -lt ${count} ]; do`,
    ...stop,
    '  i=$((i+1))',
    `  out=$(curl -sS -f --no-keepalive -H 'Connection: close' --max-time ${requestTimeoutS} ${shQuote(url)} 2>&1)`,
    '  rc=$?',
    `  printf '%s %s %s %s\\n' ${shQuote(`@@kind-ipvs-${token}`)} "$i" "$rc" "$(printf '%s' "$out" | tr '\\r\\n' '  ')"`,
    'done',
  ].join('\n');
}

/** Classifies one request's outcome: the pod name that answered, or null with the reason. */
function outcome(
  index: number,
  exitCode: number,
  body: string,
): { answer: string | null; error: string | null } {
  const text = body.trim();
  if (exitCode !== 0)
    return { answer: null, error: `request ${index}: curl exit ${exitCode}: ${text.slice(0, 200)}` };
  if (!POD_NAME.test(text))
    return { answer: null, error: `request ${index}: not a pod name: ${JSON.stringify(text.slice(0, 100))}` };
  return { answer: text, error: null };
}

/**
 * Parses the loop's output into ordered answers. Pure. Requests with no result line (the exec died
 * or was cut short) count as failed, with the transport's exit code and stderr in the reason.
 */
export function parseTrafficOutput(result: ExecResult, token: string, count: number): Burst {
  const mark = `@@kind-ipvs-${token} `;
  const seen = new Map<number, { rc: number; body: string }>();
  // The loop's own "ran out of time after N requests" line, when it stopped on its budget.
  let budgetAfter: number | null = null;
  for (const line of result.stdout.split('\n')) {
    if (!line.startsWith(mark)) continue;
    const b = /^budget (\d+)$/.exec(line.slice(mark.length));
    if (b?.[1]) {
      budgetAfter = Number(b[1]);
      continue;
    }
    const m = /^(\d+) (\d+) ?(.*)$/.exec(line.slice(mark.length));
    if (!m?.[1] || !m[2]) continue;
    seen.set(Number(m[1]), { rc: Number(m[2]), body: m[3] ?? '' });
  }
  const answers: (string | null)[] = [];
  const errors: string[] = [];
  const why = tail(result.stderr, 2, 300);
  for (let i = 1; i <= count; i++) {
    const r = seen.get(i);
    if (r === undefined) {
      answers.push(null);
      errors.push(
        budgetAfter !== null && i > budgetAfter
          ? `request ${i}: not sent: the burst's time budget ran out after ${budgetAfter} requests`
          : `request ${i}: no result (exec exit ${result.exitCode}${why === '' ? '' : `: ${why}`})`,
      );
      continue;
    }
    const o = outcome(i, r.rc, r.body);
    answers.push(o.answer);
    if (o.error !== null) errors.push(o.error);
  }
  return { answers, errors };
}

/** Where a burst runs: the client pod on `transport`'s node. */
export interface PodBurstTarget {
  readonly transport: NodeTransport;
  readonly clientPod: string;
  readonly clientContainer: string;
  readonly namespace: string;
  readonly url: string;
  readonly count: number;
}

/** One burst of `count` requests from a client pod, in ONE exec (crictl exec through the node transport). */
export async function podBurst(t: PodBurstTarget): Promise<Burst> {
  const token = newToken();
  const requestS = Math.ceil(TIMEOUTS.requestMs / 1000);
  const execS = Math.floor(TIMEOUTS.trafficBurstMs / 1000) - 5;
  // The last request may start just before the budget ends and take requestS: finish inside execS.
  const loop = trafficLoopScript(token, t.url, t.count, requestS, execS - requestS - 5);
  const script = crictlExecScript(
    { namespace: t.namespace, pod: t.clientPod, container: t.clientContainer },
    ['sh', '-c', loop],
    execS,
  );
  const r = await t.transport.exec(script, TIMEOUTS.trafficBurstMs);
  return parseTrafficOutput(r, token, t.count);
}

/** One HTTP GET on a fresh connection (agent: false: no pooling), resolving to the body or rejecting. */
export function getOnce(
  host: string,
  port: number,
  path: string,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port, path, method: 'GET', agent: false, headers: { Connection: 'close' }, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** `count` sequential requests from the host, each on its own TCP connection. */
export async function hostBurst(
  host: string,
  port: number,
  count: number,
  timeoutMs: number = TIMEOUTS.hostRequestMs,
): Promise<Burst> {
  const answers: (string | null)[] = [];
  const errors: string[] = [];
  for (let i = 1; i <= count; i++) {
    try {
      const r = await getOnce(host, port, '/hostname', timeoutMs);
      const o =
        r.status === 200 ? outcome(i, 0, r.body) : { answer: null, error: `request ${i}: HTTP ${r.status}` };
      answers.push(o.answer);
      if (o.error !== null) errors.push(o.error);
    } catch (e: unknown) {
      answers.push(null);
      errors.push(`request ${i}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { answers, errors };
}

/** A TrafficSample from a burst and where it went. */
export function toSample(
  kind: TrafficKind,
  fromNode: string,
  client: string,
  service: string,
  target: string,
  burst: Burst,
): TrafficSample {
  return { kind, fromNode, client, service, target, answers: burst.answers, errors: burst.errors };
}

/** The host port kind maps to a node port (extraPortMappings containerPort → hostPort), or null. */
export function hostPortFor(
  mappings: readonly { readonly containerPort: number; readonly hostPort: number }[],
  nodePort: number = WORKLOAD.nodePortService.nodePort,
): number | null {
  return mappings.find((m) => m.containerPort === nodePort)?.hostPort ?? null;
}
