/**
 * Runs `minidockerd` as a real child process and talks raw HTTP to it over
 * its unix socket: the harness of every daemon lesson.
 *
 * ```ts
 * const harness = new DaemonHarness();
 * afterEach(() => harness.cleanup());
 *
 * it('answers ping', async () => {
 *   const daemon = await harness.start();
 *   const res = await httpRequest(daemon.socketPath, { path: '/_ping' });
 *   expect(res.body).toBe('OK');
 * });
 * ```
 *
 * The child inherits the environment, so `DOCKERLINGS_IMPL` selects the same
 * tree (src/ or solutions/) as the test run. Everything the harness starts or
 * creates is stopped (by pid) and removed in {@link DaemonHarness.cleanup}.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../kata/impl-switch.js';
import { TestScope } from './scope.js';
import type { ExitStatus, ScopedProcess } from './scope.js';
import { canConnect } from './unix-http.js';

export type { ExitStatus } from './scope.js';
// The daemon lessons' raw HTTP, from where they have always imported it.
export { canConnect, httpRequest } from './unix-http.js';
export type { HttpRequestOptions, HttpResponse } from './unix-http.js';

/** A running (or finished) `minidockerd` child process. */
export interface DaemonProcess extends ScopedProcess {
  socketPath: string;
  dataRoot: string;
}

/** Options of {@link DaemonHarness.start}. */
export interface StartDaemonOptions {
  /** Defaults to `<new temp dir>/d.sock`. */
  socketPath?: string;
  /** Defaults to `<new temp dir>/data`. */
  dataRoot?: string;
  /** Extra command-line arguments, e.g. `['--group', 'docker']`. */
  args?: string[];
  /** Extra environment variables on top of this process's. */
  env?: NodeJS.ProcessEnv;
  /** Wait until the socket accepts connections (default true). With false, returns at once. */
  waitForSocket?: boolean;
  /** How long to wait for the socket (default 10 000 ms). */
  timeoutMs?: number;
}

/** Whether a path exists (without following a symlink). */
export async function pathExists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Starts daemons and temp dirs in a {@link TestScope}, and cleans all of them up. */
export class DaemonHarness {
  /** Where the harness registers what it starts; pass one to share it with other harnesses. */
  readonly scope: TestScope;

  constructor(scope: TestScope = new TestScope()) {
    this.scope = scope;
  }

  /** A new empty temp dir, removed by {@link cleanup}. Short, so socket paths stay under 108 bytes. */
  tempDir(): Promise<string> {
    return this.scope.tempDir('mdd-');
  }

  /**
   * Spawns `node bin/minidockerd.js -H unix://<socket> --data-root <dir> …args`
   * and, unless told otherwise, waits until the socket accepts connections.
   * @throws Error with the daemon's stderr when it exits first, or when it
   *   does not listen within the timeout.
   */
  async start(options: StartDaemonOptions = {}): Promise<DaemonProcess> {
    const needsDir = options.socketPath === undefined || options.dataRoot === undefined;
    const dir = needsDir ? await this.tempDir() : '';
    const socketPath = options.socketPath ?? path.join(dir, 'd.sock');
    const dataRoot = options.dataRoot ?? path.join(dir, 'data');
    const proc = this.scope.spawn(
      process.execPath,
      [path.join(repoRoot, 'bin', 'minidockerd.js'), '-H', `unix://${socketPath}`, '--data-root', dataRoot, ...(options.args ?? [])],
      { cwd: repoRoot, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], label: 'minidockerd' },
    );
    const daemon: DaemonProcess = Object.assign(proc, { socketPath, dataRoot });
    if (options.waitForSocket !== false) await waitForListening(daemon, options.timeoutMs ?? 10_000);
    return daemon;
  }

  /** Kills every daemon still running (SIGKILL, by pid), waits for it, removes every temp dir: the scope's cleanup. */
  cleanup(): Promise<void> {
    return this.scope.cleanup();
  }
}

/**
 * Polls until the daemon's socket accepts a connection.
 * @throws Error naming the socket and showing the daemon's stderr.
 */
export async function waitForListening(proc: DaemonProcess, timeoutMs = 10_000): Promise<void> {
  let exit: ExitStatus | undefined;
  void proc.exited.then((status) => (exit = status));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await canConnect(proc.socketPath)) return;
    if (exit !== undefined) {
      throw new Error(
        `minidockerd exited (code ${exit.code}, signal ${exit.signal}) before listening on ${proc.socketPath}; ` +
          `its stderr:\n${proc.stderr().trim()}\n— look at src/daemon/server/server.ts and src/daemon/main.ts`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `the daemon did not listen on ${proc.socketPath} within ${timeoutMs / 1000} s — look at src/daemon/server/server.ts; ` +
      `its stderr:\n${proc.stderr().trim()}`,
  );
}
