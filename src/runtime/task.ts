/**
 * A running container and the small process that waits for it: the shim.
 *
 * What runs: startTask spawns `/bin/sh shim.sh …` (runtime/shim.sh) detached,
 * in its own session, so that it outlives the daemon. The shim runs
 * `runc run`: create + start + wait in one runc process, which stays the
 * container's parent and exits with its status (128+n after signal n). The
 * shim, parent of `runc run`, collects that status and writes it to
 * `<dir>/exit`; a restarted daemon finds it there, or re-adopts a container
 * that still runs from the files in its directory (shim.ts).
 *
 * Why not `runc create` + `runc start` from the daemon: `create` exits and
 * leaves the container's process to whoever adopts orphans. Only its parent
 * or a subreaper can collect its exit status, Node cannot make itself a
 * subreaper, and the status must outlive the daemon anyway. The daemon uses
 * the other verbs (runc.ts) on the container `run` made, under the same
 * `--root`: `kill` for stop and kill, `delete --force` for what a crashed shim
 * or a failed start left in the runtime's state (adoptTask below).
 * An exec (lesson 13) runs through the same shim: `runc exec` instead of
 * `run` (TaskOptions.runArgs), in a directory of its own, the same files.
 *
 * ```
 * daemon ──spawn, detached──▶ /bin/sh shim.sh ──▶ [mount] ──▶ runc run (create + start + wait) ──▶ container
 *   ▲  reads <dir>/stdout, <dir>/stderr ◀──────────────────────────────────────────────────────── writes
 *   └─ watches <dir>/pid (started) and <dir>/exit (ended: the status, written after [umount])
 * ```
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { NotImplementedError } from '../errors.js';
import { hangUpFifo, mkfifo, openFifoReader } from './fifo.js';
import { RuntimeError, lastRuntimeError } from './runc.js';
import type { Runc } from './runc.js';
import type { ConsoleSize } from './spec.js';
import { SHIM_PATH, readExitFile, readPidFile, shimAlive, shimEnvironment, taskFiles } from './shim.js';
import type { TaskFiles } from './shim.js';
import { watchUntil } from './watch-until.js';

/** How a container ended. */
export interface ExitStatus {
  /** The process's exit code; 128+n when signal n killed it; 255 when nobody knows. */
  exitCode: number;
  finishedAt: Date;
}

/** What {@link startTask} runs, and where its files live. */
export interface TaskOptions {
  id: string;
  /** The container's directory: fifos, pid and exit files live here. */
  dir: string;
  /** The bundle (config.json + rootfs). */
  bundle: string;
  /** Give the container a stdin fifo the daemon writes to (else it reads /dev/null). */
  stdin?: boolean;
  /**
   * The bundle's `process.terminal` is true (docker's `Tty`): the runtime gets a
   * terminal to copy the container's own to. The container's output, stdout and
   * stderr merged with `\r\n` line ends, arrives on `stdout`; `stderr` ends empty.
   * Must match config.json: without it such a `runc run` fails (no terminal to use).
   */
  terminal?: boolean;
  /** With `terminal`: the size the terminal starts with (docker's `ConsoleSize`); else 0×0 until resized. */
  consoleSize?: ConsoleSize;
  /**
   * A mount command's argv, `mount` first and the mount point (the bundle's
   * rootfs) last, e.g. an overlay's. The shim runs it before the runtime and
   * unmounts the mount point once the runtime exited, before it writes the
   * exit file, with or without a daemon. Omitted or empty: nothing is mounted.
   */
  mount?: string[];
  /**
   * The runtime's arguments after its binary, instead of
   * `runc.runArgs(id, bundle, <dir>/pid, <dir>/runtime.log)`: lesson 13 runs an
   * exec through the same shim with `runc.execArgs(container, processFile, <dir>/pid, <dir>/runtime.log)`.
   * They must write the pid file and the JSON log in `dir` as `run` does; `bundle` is then unused.
   */
  runArgs?: string[];
}

/** A started (or re-adopted) container. */
export interface Task {
  readonly id: string;
  /** The container's process, as the host sees it. */
  readonly pid: number;
  /** The container's stdout; ends when every writer is gone. Read it, or the container blocks once the pipe is full. */
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Only with `stdin: true`; `end()` closes the container's stdin (it reads end-of-file). */
  readonly stdin?: Writable;
  /** Resolves once, after stdout and stderr ended (or were destroyed) and the exit status was read. */
  readonly exited: Promise<ExitStatus>;
}

/**
 * Starts the container through a detached shim, `/bin/sh shim.sh …`, which
 * runs `runc run`. Resolves once the container's process runs (the pid file
 * appeared).
 * @throws RuntimeError with the runtime's message (e.g. `exec: "nosuch": executable file not found in $PATH`)
 *   when `run` fails, or `cannot mount the rootfs: <mount's message>` when the
 *   mount command fails; nothing keeps running then.
 */
export async function startTask(runc: Runc, options: TaskOptions): Promise<Task> {
  // TODO(lesson-11): Spawn the detached shim, open the readers once it made the fifos, and resolve when <dir>/pid appears.
  // HINT: Remove stale files; with stdin: mkfifo <dir>/stdin and open it O_RDWR. Then spawn
  // HINT: `/bin/sh SHIM_PATH <dir> <stdin or /dev/null> <'terminal' or 'pipes'> <mount.length> ...mount <runc.binary> ...(options.runArgs ?? runc.runArgs(…))`,
  // HINT: detached, stdio 'ignore', env shimEnvironment(options.consoleSize), unref()'d. The shim makes <dir>/stdout and <dir>/stderr and waits for your readers.
  // HINT: Write shim.pid, then watchUntil(dir, …): <dir>/stderr exists → openFifoReader both (once); the pid file → attach();
  // HINT: the shim exited first (its "exit" event + poke()) → RuntimeError(lastRuntimeError(<dir>/runtime.log)),
  // HINT: or, when the runtime logged nothing, `cannot mount the rootfs: <first line of <dir>/mount.log>` if mount said something.
  // HINT: On any failure destroy the readers (none opened yet: kill the waiting shim) before rethrowing.
  void runc, options;
  throw new NotImplementedError('lesson-11: startTask');
}

/**
 * Finds a container again after a daemon restart: its exit file → the
 * {@link ExitStatus}; a live shim → a {@link Task} re-attached to the fifos
 * (output written meanwhile waited in the pipes); neither → exit code 255,
 * and a container the runtime still has without its shim is force-deleted,
 * since nobody could report its end.
 */
export async function adoptTask(runc: Runc, options: Omit<TaskOptions, 'stdin' | 'mount'>): Promise<Task | ExitStatus> {
  // TODO(lesson-11): Read <dir>/exit; else check shimAlive; else force-delete the id and report 255.
  // HINT: A live shim: openFifoReader both fifos again, wait (watchUntil) for <dir>/pid, and attach() without a shim or stdin.
  void runc, options;
  throw new NotImplementedError('lesson-11: adoptTask');
}

/**
 * The {@link Task} for fifo readers already open: `exited` waits for the exit
 * file (or, for our own shim, its death without one: 255), then for both
 * streams to end. Nothing here keeps the daemon alive.
 */
function attach(id: string, pid: number, f: TaskFiles, stdout: Readable & { unref?(): unknown }, stderr: Readable & { unref?(): unknown },
  stdin: Writable | undefined, shim: ChildProcess | undefined): Task {
  // TODO(lesson-11): Build the Task: unref() the readers; exited = the exit file (or 255 when our shim died without one),
  // HINT: then hangUpFifo() both fifos (a reader opened after the writers left would never see end-of-file), then wait until both streams closed.
  void id, pid, f, stdout, stderr, stdin, shim;
  throw new NotImplementedError('lesson-11: attach');
}

/** Resolves when the stream is done: ended and closed, or destroyed. */
function closed(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) return resolve();
    stream.once('close', () => resolve());
  });
}
