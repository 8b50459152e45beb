import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostBurst, hostPortFor, parseTrafficOutput, podBurst, trafficLoopScript } from './traffic.ts';

describe('trafficLoopScript run under sh with a fake curl', () => {
  let bin: string;
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'fake-client-'));
    for (const tool of ['sh', 'tr', 'cat']) {
      symlinkSync(
        execFileSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(),
        join(bin, tool),
      );
    }
    // Fails every third request; echoes its own arguments into a log to prove one process per request.
    writeFileSync(
      join(bin, 'curl'),
      `#!/bin/sh\necho "$*" >> ${bin}/calls\nn=$(cat ${bin}/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${bin}/n\nif [ $((n % 3)) -eq 0 ]; then echo "curl: (28) Connection timed out after 5001 milliseconds" >&2; exit 28; fi\nprintf 'echo-%s' $((n % 3))\n`,
    );
    chmodSync(join(bin, 'curl'), 0o755);
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('runs one curl per request and reports each in order', () => {
    const script = trafficLoopScript('tok', 'http://10.200.1.50:80/hostname', 6, 5);
    const stdout = execFileSync('/bin/sh', ['-c', script], { env: { PATH: bin }, encoding: 'utf8' });
    const burst = parseTrafficOutput({ stdout, stderr: '', exitCode: 0 }, 'tok', 6);
    expect(burst.answers).toEqual(['echo-1', 'echo-2', null, 'echo-1', 'echo-2', null]);
    expect(burst.errors).toEqual([
      'request 3: curl exit 28: curl: (28) Connection timed out after 5001 milliseconds',
      'request 6: curl exit 28: curl: (28) Connection timed out after 5001 milliseconds',
    ]);
    const calls = execFileSync('/bin/sh', ['-c', `cat ${bin}/calls`], {
      env: { PATH: bin },
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    expect(calls).toHaveLength(6);
    expect(calls[0]).toBe(
      '-sS -f --no-keepalive -H Connection: close --max-time 5 http://10.200.1.50:80/hostname',
    );
  });
});

describe('trafficLoopScript with a time budget', () => {
  let bin: string;
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'fake-budget-'));
    for (const tool of ['sh', 'tr', 'cat']) {
      symlinkSync(
        execFileSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(),
        join(bin, tool),
      );
    }
    // Every request "takes" 10 s: the fake clock is 1000 + 10 x (requests sent so far).
    writeFileSync(
      join(bin, 'curl'),
      `#!/bin/sh
n=$(cat ${bin}/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${bin}/n
printf 'echo-%s' $n
`,
    );
    writeFileSync(
      join(bin, 'date'),
      `#!/bin/sh
n=$(cat ${bin}/n 2>/dev/null || echo 0); echo $((1000 + 10 * n))
`,
    );
    chmodSync(join(bin, 'curl'), 0o755);
    chmodSync(join(bin, 'date'), 0o755);
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('starts no request once the budget is spent, and says so for the ones it skipped', () => {
    const script = trafficLoopScript('tok', 'http://10.200.1.50:80/hostname', 6, 5, 25);
    const stdout = execFileSync('/bin/sh', ['-c', script], { env: { PATH: bin }, encoding: 'utf8' });
    const burst = parseTrafficOutput({ stdout, stderr: '', exitCode: 0 }, 'tok', 6);
    expect(burst.answers).toEqual(['echo-1', 'echo-2', 'echo-3', null, null, null]);
    expect(burst.errors).toEqual([
      "request 4: not sent: the burst's time budget ran out after 3 requests",
      "request 5: not sent: the burst's time budget ran out after 3 requests",
      "request 6: not sent: the burst's time budget ran out after 3 requests",
    ]);
  });

  it('runs every request when the image has no date (budget off rather than a broken loop)', () => {
    rmSync(join(bin, 'n'), { force: true });
    const noDate = mkdtempSync(join(tmpdir(), 'fake-nodate-'));
    try {
      for (const tool of ['sh', 'tr', 'cat', 'curl']) symlinkSync(join(bin, tool), join(noDate, tool));
      const script = trafficLoopScript('tok', 'http://10.200.1.50:80/hostname', 4, 5, 25);
      const stdout = execFileSync('/bin/sh', ['-c', script], { env: { PATH: noDate }, encoding: 'utf8' });
      const burst = parseTrafficOutput({ stdout, stderr: '', exitCode: 0 }, 'tok', 4);
      expect(burst.errors).toEqual([]);
      expect(burst.answers).toHaveLength(4);
    } finally {
      rmSync(noDate, { recursive: true, force: true });
    }
  });
});

describe('parseTrafficOutput', () => {
  it('counts missing lines and non-pod-name bodies as failures', () => {
    const stdout = [
      '@@kind-ipvs-t 1 0 echo-abc',
      'noise',
      '@@kind-ipvs-t 2 0 <html>oops</html>',
      '@@kind-ipvs-other 3 0 echo-x',
    ].join('\n');
    const burst = parseTrafficOutput({ stdout, stderr: 'context deadline exceeded\n', exitCode: 1 }, 't', 3);
    expect(burst.answers).toEqual(['echo-abc', null, null]);
    expect(burst.errors).toEqual([
      'request 2: not a pod name: "<html>oops</html>"',
      'request 3: no result (exec exit 1: context deadline exceeded)',
    ]);
  });
});

describe('podBurst', () => {
  it('sends ONE exec holding the loop wrapped in crictl exec into the client container', async () => {
    const scripts: string[] = [];
    const burst = await podBurst({
      transport: {
        node: 'w1',
        exec: async (s) => {
          scripts.push(s);
          const token = /@@kind-ipvs-([0-9a-f]+)/.exec(s)?.[1] ?? '';
          return {
            stdout: `@@kind-ipvs-${token} 1 0 echo-a\n@@kind-ipvs-${token} 2 0 echo-b\n`,
            stderr: '',
            exitCode: 0,
          };
        },
      },
      clientPod: 'client-w1',
      clientContainer: 'client',
      namespace: 'ipvs-conformance',
      url: 'http://10.200.1.50:80/hostname',
      count: 2,
    });
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toContain('--label io.kubernetes.pod.name=client-w1');
    expect(scripts[0]).toContain('crictl exec "$id" sh -c');
    expect(burst).toEqual({ answers: ['echo-a', 'echo-b'], errors: [] });
    // The in-pod loop stops (budget + one request's max time) before crictl's timeout kills the exec.
    const execS = Number(/exec timeout (\d+) crictl exec/.exec(scripts[0] ?? '')?.[1]);
    const budgetS = Number(/end=\$\(\( \$\(now\) \+ (\d+) \)\)/.exec(scripts[0] ?? '')?.[1]);
    const maxTimeS = Number(/--max-time (\d+)/.exec(scripts[0] ?? '')?.[1]);
    expect(budgetS).toBeGreaterThan(0);
    expect(budgetS + maxTimeS).toBeLessThan(execS);
  });
});

describe('hostBurst', () => {
  let server: Server;
  let port: number;
  let connections = 0;
  beforeAll(async () => {
    let n = 0;
    server = createServer((req, res) => {
      n++;
      if (n === 2) {
        res.statusCode = 503;
        res.end('busy');
        return;
      }
      res.end(req.url === '/hostname' ? `echo-${n}` : 'wrong path');
    });
    server.on('connection', () => {
      connections++;
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('opens a new connection per request and records answers and failures in order', async () => {
    const burst = await hostBurst('127.0.0.1', port, 3, 2_000);
    expect(burst.answers).toEqual(['echo-1', null, 'echo-3']);
    expect(burst.errors).toEqual(['request 2: HTTP 503']);
    expect(connections).toBe(3);
  });

  it('records a refused connection as a failure', async () => {
    const burst = await hostBurst('127.0.0.1', 1, 1, 1_000);
    expect(burst.answers).toEqual([null]);
    expect(burst.errors[0]).toMatch(/^request 1: .*ECONNREFUSED/);
  });
});

describe('hostPortFor', () => {
  it('finds the host port mapped to the node port', () => {
    expect(
      hostPortFor(
        [
          { containerPort: 30000, hostPort: 30000 },
          { containerPort: 30001, hostPort: 31001 },
        ],
        30001,
      ),
    ).toBe(31001);
    expect(hostPortFor([], 30000)).toBeNull();
  });
});
