import { TIMEOUTS } from '../timeouts.ts';
import type { ExecResult, Runner } from './process.ts';

/** argv of the docker calls the live run makes. */
export const dockerArgv = {
  // Only the server version: the command fails (exit 1, "Cannot connect to the Docker daemon ...")
  // when the daemon is not reachable, which is what preflight needs to know.
  info: (): string[] => ['docker', 'info', '--format', '{{.ServerVersion}}'],
  // No -t: a TTY would merge stderr into stdout and add \r. The script runs under the node's sh.
  exec: (container: string, script: string): string[] => ['docker', 'exec', container, 'sh', '-c', script],
  // The image reference a kind node container was created from (what `--image` really reached).
  inspectImage: (container: string): string[] => [
    'docker',
    'inspect',
    '--format',
    '{{.Config.Image}}',
    container,
  ],
} as const;

/** The docker CLI over a Runner. */
export class DockerCli {
  constructor(private readonly run: Runner) {}

  /** The daemon's server version; throws CommandError when the daemon is unreachable. */
  async serverVersion(): Promise<string> {
    const r = await this.run(dockerArgv.info(), { timeoutMs: TIMEOUTS.dockerInfoMs });
    return r.stdout.trim();
  }

  /** The image reference a container runs. */
  async containerImage(container: string): Promise<string> {
    const r = await this.run(dockerArgv.inspectImage(container), { timeoutMs: TIMEOUTS.dockerInfoMs });
    return r.stdout.trim();
  }

  /** Runs a shell script in a container; any exit code is returned, not thrown (the script reports its own status). */
  async exec(container: string, script: string, timeoutMs: number): Promise<ExecResult> {
    return this.run(dockerArgv.exec(container, script), {
      timeoutMs,
      okExitCodes: Array.from({ length: 256 }, (_, i) => i),
    });
  }
}
