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
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../kata/impl.js';

/** How a daemon process ended. */
export interface ExitStatus {
  /** The exit code, or null when a signal killed it. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running (or finished) `minidockerd` child process. */
export interface DaemonProcess {
  pid: number;
  socketPath: string;
  dataRoot: string;
  child: ChildProcess;
  /** Everything the daemon wrote to stdout so far. */
  stdout(): string;
  /** Everything the daemon wrote to stderr so far. */
  stderr(): string;
  /** Settles when the process has exited. */
  exited: Promise<ExitStatus>;
  /** Sends a signal to the process (by pid). No-op once it has exited. */
  signal(signal: NodeJS.Signals): void;
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

/** A reply as it came over the wire. */
export interface HttpResponse {
  status: number;
  /** Header names are lower-case, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text ('' when there is none). */
  body: string;
}

/** Options of {@link httpRequest}. */
export interface HttpRequestOptions {
  method?: string;
  /** The request target, e.g. `/v1.41/version?x=1`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** An agent to reuse connections (keep-alive); by default every request gets its own connection. */
  agent?: http.Agent;
  /** Gives up after this many ms (default 10 000). */
  timeoutMs?: number;
}

/** Sends one HTTP request over a unix socket and reads the whole reply. */
export function httpRequest(socketPath: string, options: HttpRequestOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { Host: 'api.moby.localhost', ...options.headers },
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'GET'} ${options.path} got no reply in time`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Resolves true when something accepts a connection on `socketPath`, false otherwise. */
export function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
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

/** Starts daemons and temp dirs, and cleans all of them up. */
export class DaemonHarness {
  readonly #processes: DaemonProcess[] = [];
  readonly #dirs: string[] = [];

  /** A new empty temp dir, removed by {@link cleanup}. Short, so socket paths stay under 108 bytes. */
  async tempDir(): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mdd-'));
    this.#dirs.push(dir);
    return dir;
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
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin', 'minidockerd.js'), '-H', `unix://${socketPath}`, '--data-root', dataRoot, ...(options.args ?? [])],
      { cwd: repoRoot, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    let done = false;
    const exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => {
        done = true;
        resolve({ code, signal });
      });
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error('could not spawn minidockerd');
    const proc: DaemonProcess = {
      pid,
      socketPath,
      dataRoot,
      child,
      stdout: () => out,
      stderr: () => err,
      exited,
      signal: (signal) => {
        if (!done) process.kill(pid, signal);
      },
    };
    this.#processes.push(proc);
    if (options.waitForSocket !== false) await waitForListening(proc, options.timeoutMs ?? 10_000);
    return proc;
  }

  /** Kills every daemon still running (SIGKILL, by pid), waits for it, removes every temp dir. */
  async cleanup(): Promise<void> {
    const processes = this.#processes.splice(0);
    for (const proc of processes) proc.signal('SIGKILL');
    await Promise.all(processes.map((proc) => proc.exited));
    const dirs = this.#dirs.splice(0);
    await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
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
