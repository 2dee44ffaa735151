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
import { NotImplementedError } from '../errors.js';
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
  // TODO(lesson-11): Return the msg of the last line that parses as JSON with "level":"error", or undefined.
  // HINT: Split on "\n", skip lines not starting with "{", and wrap JSON.parse in try/catch: a torn line is not an error.
  void log;
  throw new NotImplementedError('lesson-11: lastRuntimeError');
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
    // TODO(lesson-11): Spawn `<binary> --root R --log-format json --log <tmp file> create --bundle B [--pid-file P] ID` with options.stdio.
    // HINT: The container inherits the stdio, so never wait for pipes to close: resolve on the child's "exit" (exitOf).
    // HINT: On a non-zero status throw RuntimeError(lastRuntimeError(log file) ?? a generic text); remove the temp dir in a finally.
    // HINT: Create this.root first (mode 0700): runc would, crun may not.
    void id, bundle, options;
    throw new NotImplementedError('lesson-11: Runc.create');
  }

  /** `start`: runs the user's program in a created container (the lifecycle's second step). @throws RuntimeError */
  async start(id: string): Promise<void> {
    // TODO(lesson-11): Run `start ID` through this.run.
    void id;
    throw new NotImplementedError('lesson-11: Runc.start');
  }

  /**
   * `state`: the runtime-spec state of the container.
   * @throws NotFoundError `container <id> does not exist` when the runtime does not know it; RuntimeError otherwise.
   */
  async state(id: string): Promise<State> {
    // TODO(lesson-11): Run `state ID` through this.run and parse its stdout as a State.
    void id;
    throw new NotImplementedError('lesson-11: Runc.state');
  }

  /**
   * `kill`: sends a signal (default SIGTERM) to the container's process, or with
   * `all` to every process in it. docker stop and kill signal a task's container
   * so; its `runc run` then exits with 128+n.
   * @throws NotFoundError for an unknown id; RuntimeError (e.g. the container is not running).
   */
  async kill(id: string, signal: NodeJS.Signals | number = 'SIGTERM', options: { all?: boolean } = {}): Promise<void> {
    // TODO(lesson-11): Run `kill [--all] ID <signal number>`: os.constants.signals turns "SIGKILL" into 9, which runc and crun both accept.
    void id, signal, options;
    throw new NotImplementedError('lesson-11: Runc.kill');
  }

  /**
   * `delete`: removes the container from the runtime; `force` kills a running
   * one first. Resolves when the id is already gone. `run` deletes its container
   * itself when it exits: the daemon force-deletes only what a crashed shim or a
   * failed start left.
   * @throws RuntimeError (e.g. deleting a running container without force).
   */
  async delete(id: string, options: { force?: boolean } = {}): Promise<void> {
    // TODO(lesson-11): Run `delete [--force] ID`, and swallow a NotFoundError: the id is gone, which is what delete wanted.
    void id, options;
    throw new NotImplementedError('lesson-11: Runc.delete');
  }

  /** `list`: every container under the root (`[]` when none), e.g. what is left after a crash. @throws RuntimeError */
  async list(): Promise<State[]> {
    // TODO(lesson-11): Run `list --format json` and map each entry to a State.
    // HINT: runc prints `null` (not `[]`) when the root has no containers; crun prints `[]`.
    throw new NotImplementedError('lesson-11: Runc.list');
  }

  /**
   * The arguments (without the binary) of `run`, which the shim runs for every
   * container the daemon starts: create, start and wait in one process that
   * stays the container's parent and exits with its status (128+n for signal
   * n), and deletes it; its errors as JSON lines in `logFile`.
   */
  runArgs(id: string, bundle: string, pidFile: string, logFile: string): string[] {
    // TODO(lesson-11): Return the global flags, then `--log <logFile> run --bundle <bundle> --pid-file <pidFile> <id>`.
    void id, bundle, pidFile, logFile;
    throw new NotImplementedError('lesson-11: Runc.runArgs');
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
    // TODO(lesson-11): execFile the binary with globalArgs() + args (no shell); resolve stdout.
    // HINT: On failure: message = lastRuntimeError(stderr) ?? stderr. With an id, if <root>/<id> does not exist throw
    // HINT: NotFoundError(`container ${id} does not exist`) (runc and crun word it differently), else RuntimeError(message).
    void args, id;
    throw new NotImplementedError('lesson-11: Runc.run');
  }
}

/** Spawns the binary with the given stdio and resolves its exit code (a signal counts as 128+n). */
async function exitOf(binary: string, args: string[], stdio: StdioOptions): Promise<number> {
  // TODO(lesson-11): spawn the binary with the given stdio; resolve the exit code (128+n for signal n), reject on "error".
  void binary, args, stdio;
  throw new NotImplementedError('lesson-11: exitOf');
}
