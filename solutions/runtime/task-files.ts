/**
 * The files a task leaves in its container directory, the shim script that
 * writes them, and small readers for them. Shared by startTask and adoptTask.
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
import { promisify } from 'node:util';
import type { ConsoleSize } from './spec.js';

/**
 * What `script(1)` runs in a terminal shim: gives the terminal the size in
 * `MINIDOCKER_ROWS`/`MINIDOCKER_COLS` (the runtime copies its own terminal's
 * size to the container's), records which terminal it is in `MINIDOCKER_TTY`,
 * rebuilds the runtime's argv from `MINIDOCKER_ARGC` and `MINIDOCKER_ARG1`…
 * and execs it. Constant text: the only thing `eval` sees besides it is the
 * counter, never a path or a name.
 */
export const SHIM_UNPACK_ARGS = [
  '[ -z "$MINIDOCKER_ROWS" ] || stty rows "$MINIDOCKER_ROWS" cols "$MINIDOCKER_COLS" 2>/dev/null',
  'tty >"$MINIDOCKER_TTY.tmp" && mv -f "$MINIDOCKER_TTY.tmp" "$MINIDOCKER_TTY"',
  'n=$MINIDOCKER_ARGC i=0; set --',
  'while [ "$i" -lt "$n" ]; do i=$((i+1)); eval "set -- \\"\\$@\\" \\"\\$MINIDOCKER_ARG$i\\"; unset MINIDOCKER_ARG$i"; done',
  'unset MINIDOCKER_ARGC MINIDOCKER_ROWS MINIDOCKER_COLS MINIDOCKER_TTY; exec "$@"',
].join('\n');

/**
 * The shim: `sh -c SHIM_SCRIPT minidocker-shim <dir> <stdin path or /dev/null> <pipes|terminal> <n> <mount argv (n words)…> <runtime> <run args…>`.
 * Paths arrive as positional parameters, never inside the script text, so no
 * name can inject shell code. It makes the output fifos itself (a `mkfifo`
 * forked from a small shell is cheap; from the daemon it would cost a whole
 * process start), runs the runtime only once the daemon has a reader on each,
 * and exits after writing the exit file.
 *
 * With `n` > 0, the `n` words after it are a mount command whose last word is
 * the mount point (the container's rootfs): the shim runs it before the
 * runtime, and exits with mount's status, its message in `<dir>/mount.log`,
 * when it fails. Once the runtime exited it unmounts that point, before the
 * exit file appears: whoever sees the exit file finds the rootfs unmounted,
 * also when no daemon was there. `n` = 0: nothing is mounted.
 *
 * With `terminal`, the runtime runs under util-linux `script(1)`, which gives it
 * a pseudo-terminal as stdin, stdout and stderr (`runc run` of a bundle with
 * `process.terminal` wants one to copy the container's own terminal to) and
 * returns the child's status (`-e`). Everything the container prints then
 * arrives on `<dir>/stdout`; `<dir>/stderr` stays empty. `script -c` takes shell
 * text, so the runtime's argv travels in the environment (`MINIDOCKER_ARGC`,
 * `MINIDOCKER_ARG1`…) and {@link SHIM_UNPACK_ARGS}, a constant, rebuilds it.
 */
export const SHIM_SCRIPT = [
  'dir=$1 in=$2 io=$3 m=$4; shift 4',
  'mkfifo -m 600 "$dir/stdout" "$dir/stderr" || exit',
  // A write-only open waits for a reader: the daemon's. Only then may the container write, or
  // the output of one that ends at once would be gone before anybody read it.
  'exec 3>"$dir/stdout" 4>"$dir/stderr"',
  // Read-write: the shim is a reader too, so the container never gets EPIPE while the daemon is away.
  'exec 3<>"$dir/stdout" 4<>"$dir/stderr"',
  // The mount comes after the readers: a daemon that gives up waiting for them kills a shim that mounted nothing.
  'target=',
  'if [ "$m" -gt 0 ]; then',
  // A subshell, so that the mount's words ($1 … $m) become its "$@" while this shell keeps its own.
  '  (n=$# i=0; for arg; do [ "$i" -lt "$m" ] || break; i=$((i+1)); set -- "$@" "$arg"; done; shift "$n"; exec "$@") 2>"$dir/mount.log" 3>&- 4>&- || exit',
  '  while [ "$m" -gt 0 ]; do target=$1 m=$((m-1)); shift; done',
  'fi',
  'if [ "$io" = terminal ]; then',
  // A terminal file left by an earlier run could name another container's terminal by now.
  '  rm -f "$dir/tty"; export MINIDOCKER_ARGC=$# MINIDOCKER_TTY=$dir/tty SHELL=/bin/sh; i=0',
  '  for arg; do i=$((i+1)); export "MINIDOCKER_ARG$i=$arg"; done',
  // No echo on script's side: input reaches the container's terminal, which echoes like docker's.
  `  set -- script -q -e -E never -c '${SHIM_UNPACK_ARGS}' /dev/null`,
  // No stdin: the terminal gets no input at all, as with docker's -t without -i. At end of input script
  // would send the container an end-of-file; a fifo nobody writes to, held read-write here, never ends.
  '  if [ "$in" = /dev/null ]; then in=$dir/stdin; [ -p "$in" ] || mkfifo "$in"; exec 5<>"$in"; fi',
  'fi',
  '"$@" <"$in" >"$dir/stdout" 2>"$dir/stderr" 3>&- 4>&- 5>&-',
  'status=$?',
  // Close before the exit file appears: whoever sees it knows no writer is left.
  'exec 3>&- 4>&- 5>&-',
  // The terminal is gone too, and its name may soon be another's.
  '[ "$io" != terminal ] || rm -f "$dir/tty"',
  // The container's processes are gone with runc run: nothing holds the rootfs any more.
  '[ -z "$target" ] || umount "$target" 2>>"$dir/mount.log"',
  'echo "$status" >"$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"',
].join('\n');

/** The shim's `$0`, as `ps` shows it. */
export const SHIM_NAME = 'minidocker-shim';

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

/** A wait in progress: see {@link watchUntil}. */
export interface Watch<T> {
  /** The first value `probe` returned; rejects when `probe` throws or the watch fails. */
  result: Promise<T>;
  /** Runs the probe again now (e.g. a child process exited: no file event tells that). */
  poke(): void;
  /** Stops watching; `result` stays pending. */
  cancel(): void;
}

/**
 * Runs `probe` after arming a watch on `dir`, again on every change in it
 * (and on `poke()`), never two at once, until it returns a value. Arming the
 * watch before the first probe means no change is missed, and nothing polls.
 * The watch does not keep the process alive.
 */
export function watchUntil<T>(dir: string, probe: () => Promise<T | undefined>): Watch<T> {
  let done = false;
  let running = false;
  let again = false;
  let watcher: fs.FSWatcher | undefined;
  let run: () => void = () => undefined;
  const result = new Promise<T>((resolve, reject) => {
    const finish = (settle: () => void) => {
      done = true;
      watcher?.close();
      settle();
    };
    run = () => {
      if (done) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      void (async () => {
        try {
          do {
            again = false;
            const value = await probe();
            if (value !== undefined) return finish(() => resolve(value));
          } while (again && !done);
        } catch (err) {
          finish(() => reject(err));
        } finally {
          running = false;
        }
      })();
    };
    try {
      watcher = fs.watch(dir, { persistent: false }, () => run());
      watcher.on('error', (err) => finish(() => reject(err)));
    } catch (err) {
      finish(() => reject(err));
      return;
    }
    run();
  });
  return {
    result,
    poke: () => run(),
    cancel: () => {
      done = true;
      watcher?.close();
    },
  };
}
