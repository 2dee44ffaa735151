/**
 * The stock docker CLI as the interop checks run it: against one daemon's
 * socket, with its own empty config directory, and none of the caller's
 * DOCKER_* settings (a DOCKER_HOST or context would send it elsewhere).
 */
import { execFile } from 'node:child_process';

/** What one docker command did. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A docker CLI bound to one daemon: `run(args)` runs `docker -H unix://<socket> …args`. */
export interface DockerCli {
  /** The environment the CLI runs in (DOCKER_CONFIG set, the other DOCKER_* removed), for a session started by hand. */
  env: NodeJS.ProcessEnv;
  run(args: string[], timeoutMs?: number): Promise<CliResult>;
}

/**
 * A docker CLI for the daemon at `socketPath`.
 * @param bin the docker binary (from the check's prerequisite).
 * @param configDir an empty directory for its config.json.
 */
export function dockerCli(bin: string, socketPath: string, configDir: string): DockerCli {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: configDir };
  for (const name of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_API_VERSION', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) delete env[name];
  return {
    env,
    run: (args, timeoutMs = 60_000) =>
      new Promise((resolve) => {
        execFile(bin, ['-H', `unix://${socketPath}`, ...args], { env, timeout: timeoutMs }, (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
        );
      }),
  };
}
