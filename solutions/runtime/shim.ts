/**
 * Provided (no lesson asks you to change it): the TypeScript side of the shim,
 * shim.sh next to this file. Where that script is, the files it leaves in a
 * task's directory, the environment it starts with, and small readers of
 * those files. Shared by startTask and adoptTask (task.ts) and the daemon's
 * resize.
 *
 * ```
 * <dir>/
 * ├── stdout, stderr   fifos made by the shim: the container writes, the daemon reads; the shim holds both
 * │                    open read-write, so output waits in them while no daemon reads
 * ├── stdin            fifo with `stdin: true`: the daemon writes, the container reads (a terminal
 * │                    without stdin: made by the shim, never written)
 * ├── shim.pid         the shim's pid (written by the daemon once it spawned the shim)
 * ├── pid              the container's process as the host sees it (runc --pid-file)
 * ├── runtime.log      the runtime's JSON log: why `run` failed
 * ├── mount.log        with a mount command: what mount (or umount) said, why the rootfs could not be mounted
 * ├── tty              with a terminal, while it runs: the runtime's terminal (`/dev/pts/N`), which {@link resizeTerminal} resizes
 * └── exit             the exit status ("137\n"), renamed into place from exit.tmp once `run` returned
 * ```
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ConsoleSize } from './spec.js';

/**
 * The shim: `/bin/sh SHIM_PATH <dir> <stdin path or /dev/null> <pipes|terminal> <n> <mount argv (n words)…> <runtime> <run args…>`,
 * a POSIX sh script next to this module (shim.sh, which says what it does).
 * Paths arrive as arguments, never inside shell text, so no name can inject
 * shell code. bin/build.js copies shim.sh next to the compiled module, and
 * keeps `import.meta.url` pointing here when it bundles the daemon.
 */
export const SHIM_PATH = fileURLToPath(new URL('./shim.sh', import.meta.url));

/** The paths of one task's files. */
export interface TaskFiles {
  stdout: string;
  stderr: string;
  stdin: string;
  pid: string;
  shimPid: string;
  log: string;
  mountLog: string;
  tty: string;
  exit: string;
  exitTmp: string;
}

/** The paths of the task files in `dir` (which should be absolute). */
export function taskFiles(dir: string): TaskFiles {
  const at = (name: string) => path.join(dir, name);
  return {
    stdout: at('stdout'), stderr: at('stderr'), stdin: at('stdin'), pid: at('pid'), shimPid: at('shim.pid'),
    log: at('runtime.log'), mountLog: at('mount.log'), tty: at('tty'), exit: at('exit'), exitTmp: at('exit.tmp'),
  };
}

/**
 * The environment to spawn the shim with: the daemon's, plus the size a
 * terminal task's terminal starts with. Without a size it keeps the kernel's
 * default, 0×0, until the first {@link resizeTerminal}.
 */
export function shimEnvironment(consoleSize?: ConsoleSize): NodeJS.ProcessEnv {
  if (!consoleSize) return process.env;
  return { ...process.env, MINIDOCKER_ROWS: String(consoleSize.height), MINIDOCKER_COLS: String(consoleSize.width) };
}

/**
 * Resizes a running terminal task's terminal, as `docker run -t` does when
 * its window changes. The kernel then sends SIGWINCH to the runtime, which
 * gives the container's own terminal the same size (and the container its SIGWINCH).
 * @throws Error when the task in `dir` has no terminal (none was asked for, or it is not running yet).
 */
export async function resizeTerminal(dir: string, size: ConsoleSize): Promise<void> {
  let tty = '';
  try {
    tty = fs.readFileSync(taskFiles(dir).tty, 'utf8').trim();
  } catch {
    // No file: no terminal.
  }
  if (!/^\/dev\/pts\/\d+$/.test(tty)) throw new Error('the container has no terminal to resize');
  // Node has no ioctl; stty -F sets TIOCSWINSZ on the terminal the runtime reads its size from.
  await promisify(execFile)('stty', ['-F', tty, 'rows', String(size.height), 'cols', String(size.width)]);
}

/** A positive integer from a pid file, or undefined when it is missing, empty or not yet written. */
export function readPidFile(file: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const value = Number.parseInt(text.trim(), 10);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The status in an exit file, finished at its mtime; undefined when there is no exit file. */
export function readExitFile(file: string): { exitCode: number; finishedAt: Date } | undefined {
  try {
    const exitCode = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return { exitCode: Number.isInteger(exitCode) ? exitCode : 255, finishedAt: fs.statSync(file).mtime };
  } catch {
    return undefined;
  }
}

/** Whether the pid in shim.pid is still this dir's shim: alive, and its command line names `dir` (pids get reused). */
export function shimAlive(files: TaskFiles, dir: string): boolean {
  const pid = readPidFile(files.shimPid);
  if (pid === undefined) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dir);
  } catch {
    return false;
  }
}
