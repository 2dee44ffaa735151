/**
 * A thin client of an OCI runtime's command line: runc, or crun, which takes
 * the same verbs and global flags. Every call runs the binary directly (no
 * shell) with `--root <root> --log-format json`, so a failure arrives as JSON
 * lines on stderr, `{"level":"error","msg":"…"}`, and becomes a
 * {@link RuntimeError} carrying the runtime's own words.
 *
 * What the daemon runs: every container it starts runs as `run` (the
 * arguments of {@link Runc.runArgs}) inside the shim, task.ts and shim.sh:
 * create + start + wait in one process, the one that can collect the exit
 * status. On that container, under the same `--root` and id, the daemon uses
 * `kill` (docker stop and kill) and `delete --force` (what a crashed shim or a
 * failed start left). `create`, `start`, `state` and `list` walk the
 * runtime-spec lifecycle one verb at a time: for the checks, and for looking
 * by hand at what the runtime knows. Lesson 13 adds, given: `exec` (the
 * arguments of {@link Runc.execArgs}, run by the same shim: a process that
 * joins the running container), `pause`, `resume` and `ps`.
 *
 * ```
 * <root>/            the runtime's state directory (--root), created 0700
 * └── <id>/          one per container the runtime knows (its state.json or status)
 * ```
 *
 * Rootless: runc and crun notice by themselves that they do not run as root;
 * the only requirement is a `--root` the user can write.
 */
import { execFile, spawn } from 'node:child_process';
import type { StdioOptions } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NotFoundError } from '../errdefs.js';
import type { State } from './spec.js';

/** Where the runtime lives and keeps its state. */
export interface RuncOptions {
  /** `runc` (default), `crun`, or a path to either. */
  binary?: string;
  /** The runtime's state directory, passed as `--root`. */
  root: string;
}

/** What the runtime reported when a command failed; the message is its own error text. */
export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** One stdio slot of `create`: ignored, the caller's, or an open fd. */
export type StdioSlot = 'ignore' | 'inherit' | number;

/** Options of {@link Runc.create}. */
export interface CreateOptions {
  /** Where the runtime writes the container's pid. */
  pidFile?: string;
  /** stdin, stdout, stderr of the container's process (it inherits the runtime's). Default: all ignored. */
  stdio?: [StdioSlot, StdioSlot, StdioSlot];
}

/**
 * The last `"level":"error"` message in JSON log text, or undefined when
 * there is none (lines that are not JSON are skipped).
 */
export function lastRuntimeError(log: string): string | undefined {
  let found: string | undefined;
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if (entry.level === 'error' && typeof entry.msg === 'string') found = entry.msg;
    } catch {
      // a torn or foreign line: not the runtime's error
    }
  }
  return found;
}

/** A runc (or crun) binary with one state directory. */
export class Runc {
  readonly binary: string;
  readonly root: string;

  constructor(options: RuncOptions) {
    this.binary = options.binary ?? 'runc';
    this.root = options.root;
  }

  /**
   * `create`: sets the container up (namespaces, mounts, cgroups) and leaves its
   * process waiting before the user's program; status `created`. Not for the
   * daemon's containers: once `create` exited, nobody could collect the
   * container's exit status (task.ts runs `run` instead).
   * @throws RuntimeError with the runtime's message (bad bundle, missing executable …).
   */
  async create(id: string, bundle: string, options: CreateOptions = {}): Promise<void> {
    const pidFile = options.pidFile === undefined ? [] : ['--pid-file', options.pidFile];
    await fs.mkdir(this.root, { recursive: true, mode: 0o700 });
    // The container keeps the runtime's stdio, so its errors cannot come back
    // through a pipe we wait on: they go to a log file instead.
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'runtime-create-'));
    const log = path.join(scratch, 'log.json');
    try {
      const args = [...this.globalArgs(), '--log', log, 'create', '--bundle', bundle, ...pidFile, id];
      const code = await exitOf(this.binary, args, options.stdio ?? ['ignore', 'ignore', 'ignore']);
      if (code !== 0) {
        const text = await fs.readFile(log, 'utf8').catch(() => '');
        throw new RuntimeError(lastRuntimeError(text) ?? `${this.binary} create exited with status ${code}`);
      }
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }

  /** `start`: runs the user's program in a created container (the lifecycle's second step). @throws RuntimeError */
  async start(id: string): Promise<void> {
    await this.run(['start', id], id);
  }

  /**
   * `state`: the runtime-spec state of the container.
   * @throws NotFoundError `container <id> does not exist` when the runtime does not know it; RuntimeError otherwise.
   */
  async state(id: string): Promise<State> {
    const out = await this.run(['state', id], id);
    return JSON.parse(out) as State;
  }

  /**
   * `kill`: sends a signal (default SIGTERM) to the container's process, or with
   * `all` to every process in it. docker stop and kill signal a task's container
   * so; its `runc run` then exits with 128+n.
   * @throws NotFoundError for an unknown id; RuntimeError (e.g. the container is not running).
   */
  async kill(id: string, signal: NodeJS.Signals | number = 'SIGTERM', options: { all?: boolean } = {}): Promise<void> {
    const number = typeof signal === 'number' ? signal : os.constants.signals[signal];
    if (number === undefined) throw new RuntimeError(`unknown signal ${String(signal)}`);
    await this.run(['kill', ...(options.all === true ? ['--all'] : []), id, String(number)], id);
  }

  /**
   * `delete`: removes the container from the runtime; `force` kills a running
   * one first. Resolves when the id is already gone. `run` deletes its container
   * itself when it exits: the daemon force-deletes only what a crashed shim or a
   * failed start left.
   * @throws RuntimeError (e.g. deleting a running container without force).
   */
  async delete(id: string, options: { force?: boolean } = {}): Promise<void> {
    try {
      await this.run(['delete', ...(options.force === true ? ['--force'] : []), id], id);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }

  /** `list`: every container under the root (`[]` when none), e.g. what is left after a crash. @throws RuntimeError */
  async list(): Promise<State[]> {
    const out = await this.run(['list', '--format', 'json']);
    // runc prints `null` for an empty root.
    const entries = (JSON.parse(out || 'null') ?? []) as (Partial<State> & { id: string })[];
    return entries.map((e) => ({
      ociVersion: e.ociVersion ?? '',
      id: e.id,
      status: e.status ?? 'stopped',
      ...(e.pid ? { pid: e.pid } : {}),
      bundle: e.bundle ?? '',
      ...(e.annotations ? { annotations: e.annotations } : {}),
    }));
  }

  /**
   * The arguments (without the binary) of `run`, which the shim runs for every
   * container the daemon starts: create, start and wait in one process that
   * stays the container's parent and exits with its status (128+n for signal
   * n), and deletes it; its errors as JSON lines in `logFile`.
   */
  runArgs(id: string, bundle: string, pidFile: string, logFile: string): string[] {
    return [...this.globalArgs(), '--log', logFile, 'run', '--bundle', bundle, '--pid-file', pidFile, id];
  }

  /**
   * The arguments (without the binary) of `exec`, which the shim runs for every
   * exec the daemon starts (task.ts `runArgs`): the process described in
   * `processFile` (a runtime-spec `process`, see exec-process.ts) joins every
   * namespace of the running container `id`, and `exec` stays its parent and
   * exits with its status (128+n for signal n), as `run` does for a container;
   * its errors as JSON lines in `logFile`, its host pid in `pidFile`.
   */
  execArgs(id: string, processFile: string, pidFile: string, logFile: string): string[] {
    return [...this.globalArgs(), '--log', logFile, 'exec', '--process', processFile, '--pid-file', pidFile, id];
  }

  /**
   * `pause`: freezes every process of the container (the cgroup freezer); its
   * status becomes `paused` until {@link resume}.
   * @throws NotFoundError for an unknown id; RuntimeError (e.g. not running, or no cgroup to freeze rootless).
   */
  async pause(id: string): Promise<void> {
    await this.run(['pause', id], id);
  }

  /** `resume`: thaws a paused container. @throws NotFoundError for an unknown id; RuntimeError (e.g. not paused). */
  async resume(id: string): Promise<void> {
    await this.run(['resume', id], id);
  }

  /**
   * `ps --format json`: the host pids of every process in the container (its
   * cgroup's), `[]` when none.
   * @throws NotFoundError for an unknown id; RuntimeError (e.g. no cgroup to read rootless).
   */
  async ps(id: string): Promise<number[]> {
    const out = await this.run(['ps', '--format', 'json', id], id);
    const pids = JSON.parse(out.trim() || 'null') as unknown;
    return Array.isArray(pids) ? pids.filter((pid): pid is number => Number.isInteger(pid)) : [];
  }

  private globalArgs(): string[] {
    return ['--root', this.root, '--log-format', 'json'];
  }

  /** Runs one command and returns its stdout; failures become NotFoundError or RuntimeError. */
  private async run(args: string[], id?: string): Promise<string> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o700 });
    return new Promise((resolve, reject) => {
      execFile(this.binary, [...this.globalArgs(), ...args], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const message = lastRuntimeError(stderr) ?? (stderr.trim() || err.message);
        if (id === undefined) return reject(new RuntimeError(message));
        // runc says "container does not exist", crun names the missing file:
        // the runtime's own directory for the id is the one sure sign.
        fs.stat(path.join(this.root, id)).then(
          () => reject(new RuntimeError(message)),
          () => reject(new NotFoundError(`container ${id} does not exist`)),
        );
      });
    });
  }
}

/** Spawns the binary with the given stdio and resolves its exit code (a signal counts as 128+n). */
async function exitOf(binary: string, args: string[], stdio: StdioOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  });
}
