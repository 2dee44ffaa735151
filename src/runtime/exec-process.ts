/**
 * The process of an exec (`docker exec`): a runtime-spec `process`, the same
 * section a bundle's config.json starts its container with, handed to
 * `runc exec --process <file>`. runc makes it join every namespace of the
 * running container (pid, mount, network, ipc, uts, user) and its cgroup:
 * that is all `exec` is, a second process in the same boxes.
 *
 * ```
 * <container dir>/bundle/config.json   .process: the container's  ─┐ capabilities, rlimits, noNewPrivileges,
 *                                                                   │ oomScoreAdj, apparmorProfile, selinuxLabel: kept
 * exec: Cmd, Env, WorkingDir, User, Tty, ConsoleSize ──────────────┴─▶ args, env, cwd, user, terminal, consoleSize: the exec's
 * <container dir>/exec/<exec id>/process.json   written atomically, read by runc exec
 * ```
 * As docker builds it (daemon/exec.go): the container's process from its
 * spec, then the exec's own fields over it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { NotImplementedError } from '../errors.js';
import type { ConsoleSize, Process, Spec } from './spec.js';
import type { ResolvedUser } from './user.js';

/** What an exec asks for, resolved by the daemon (env merged, user numeric). */
export interface ExecProcessOptions {
  /** The command and its arguments (docker's Cmd). */
  args: string[];
  /** The whole environment (docker's: PATH, HOSTNAME, TERM with a Tty, the container's Env, the exec's). */
  env: string[];
  /** Working directory inside the container; '' means '/'. */
  cwd: string;
  user: ResolvedUser;
  /** Docker's `Tty`: the process gets a terminal. */
  terminal: boolean;
  /** With `terminal`: its size when the process starts; else none. */
  consoleSize?: ConsoleSize;
}

/**
 * The container's process (from its config.json), read for an exec to start
 * from. Given.
 * @throws the file system's error; Error when config.json has no process.
 */
export async function readBundleProcess(bundle: string): Promise<Process> {
  const spec = JSON.parse(await fs.readFile(path.join(bundle, 'config.json'), 'utf8')) as Spec;
  if (spec.process === undefined) throw new Error(`${bundle}/config.json has no process`);
  return spec.process;
}

/**
 * The exec's process: a copy of the container's `process` with docker's
 * overrides — args, env, cwd ('' → '/'), user (uid, gid, additionalGids; the
 * container's umask kept), terminal, and consoleSize only with a terminal
 * (none otherwise, even when the container's process has one). Everything
 * else (capabilities, rlimits, noNewPrivileges, oomScoreAdj, apparmorProfile,
 * selinuxLabel) stays the container's. `container` is not changed.
 */
export function execProcess(container: Process, options: ExecProcessOptions): Process {
  // TODO(lesson-13): Return a copy of the container's process with the exec's args, env, cwd, user, terminal and consoleSize.
  // HINT: structuredClone(container) keeps capabilities, rlimits, noNewPrivileges … and leaves `container` as it was.
  // HINT: cwd '' is '/'; consoleSize only with a terminal (delete the container's); keep container.user.umask when it has one.
  void container, options;
  throw new NotImplementedError('lesson-13: execProcess');
}

/**
 * Writes `process` as JSON to `file` atomically (writeFileAtomic: a temp file
 * renamed over it), so runc never reads half of it. The directory must exist.
 * @throws the file system's error.
 */
export async function writeProcessFile(file: string, process: Process): Promise<void> {
  // TODO(lesson-13): Write the process as JSON with writeFileAtomic (mode 0600).
  void file, process;
  throw new NotImplementedError('lesson-13: writeProcessFile');
}
