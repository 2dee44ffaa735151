/**
 * The network namespace of a user-defined network: one namespace shared by
 * the network's containers, so they reach each other on 127.0.0.1, held
 * open by a small process of its own while no container is in it (podman's
 * infra container holds a pod's namespaces the same way). There is no
 * bridge and no veth: the namespace has only loopback.
 *
 * ```
 * startHolder()          unshare --net [--user --map-root-user] -- busybox sh -c 'busybox ip link set lo up && echo ready && exec busybox sleep …'
 * startHolder({join})    nsenter --net=/proc/<member>/ns/net [--user=… --preserve-credentials] -- busybox sh -c 'echo ready && exec busybox sleep …'
 *                          (a holder that died while members ran: the new one holds their namespace, not a new one)
 * a container joins:     linux.namespaces network path /proc/<holder>/ns/net (and user /proc/<holder>/ns/user when rootless)
 * ```
 * The holder is detached: it outlives the daemon, and the network's record
 * keeps its pid and start time, which tell it from a later process that got
 * the same pid.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { NotImplementedError } from '../errors.js';
import { processStartTime } from './port-proxy.js';

/** The process that holds a network's namespace: its pid and start time (field 22 of /proc/<pid>/stat). */
export interface NamespaceHolder {
  pid: number;
  startTime: string;
}

/** What {@link startHolder} needs. */
export interface HolderOptions {
  /** The daemon runs unprivileged: the namespace is owned by a user namespace of its own, where the daemon's user is root. */
  rootless: boolean;
  /** A process already in the network's namespace (a running member): hold that namespace instead of a new one. */
  join?: number;
  /** busybox's path ({@link findBusybox}): brings loopback up (`ip`) and sleeps. */
  busybox: string;
}

/** How long a holder may take to say it is ready. */
export const HOLDER_START_TIMEOUT_MS = 10_000;

/** Longer than any daemon runs: busybox sleep takes seconds as an integer. */
const FOREVER_SECONDS = '2147483647';

/**
 * The command line of a holder: `unshare` makes the namespace (and the user
 * namespace that owns it when rootless) and runs busybox's shell in it,
 * which brings loopback up, says `ready` and becomes `sleep`; with `join`,
 * `nsenter` enters that process's namespaces instead (loopback is up there).
 */
export function holderCommand(options: HolderOptions): string[] {
  // TODO(lesson-14): Return the holder's command line: unshare a new network namespace, or nsenter options.join's.
  // HINT: new: ['unshare', ...(rootless ? ['--user', '--map-root-user'] : []), '--net', '--', busybox, 'sh', '-c', script], the script
  // HINT: `${busybox} ip link set lo up && echo ready && exec ${busybox} sleep ${FOREVER_SECONDS}`: loopback is down in a new namespace.
  // HINT: join: ['nsenter', `--net=/proc/${join}/ns/net`, '--', busybox, 'sh', '-c', 'echo ready && exec …sleep…'], entering its user
  // HINT: namespace first (`--user=/proc/${join}/ns/user`, '--preserve-credentials') when readlink of /proc/<join>/ns/user is not ours.
  void options, FOREVER_SECONDS, fs;
  throw new NotImplementedError('lesson-14: holderCommand');
}

/**
 * Starts a holder, detached (its own session, no stdio the daemon keeps),
 * and resolves once it said `ready`: loopback is up in its namespace.
 * @throws Error with what it wrote to stderr when it exits first, or after
 *   {@link HOLDER_START_TIMEOUT_MS}; it is killed then.
 */
export async function startHolder(options: HolderOptions): Promise<NamespaceHolder> {
  // TODO(lesson-14): Spawn holderCommand(options) detached, wait for its `ready` line (HOLDER_START_TIMEOUT_MS at most), and let it go.
  // HINT: spawn(command, args, {detached: true, stdio: ['ignore', 'pipe', 'pipe'], cwd: '/'}); an 'exit' or 'error' first rejects with its stderr.
  // HINT: on any failure kill it (SIGKILL) and throw; on success destroy its stdout and stderr pipes and unref() it: it outlives the daemon.
  // HINT: return {pid, startTime: processStartTime(pid)}: the start time tells it from a later process with the same pid.
  void options, spawn, processStartTime;
  throw new NotImplementedError('lesson-14: startHolder');
}

/** Whether the holder still runs: the same pid and start time (pids get reused). */
export function holderAlive(holder: NamespaceHolder): boolean {
  return processStartTime(holder.pid) === holder.startTime;
}

/** The namespaces a container joins to be on the holder's network: its network one, and its user one when rootless. */
export function holderNamespaces(holder: NamespaceHolder, rootless: boolean): { net: string; user?: string } {
  return { net: `/proc/${holder.pid}/ns/net`, ...(rootless ? { user: `/proc/${holder.pid}/ns/user` } : {}) };
}

/** Ends a holder (SIGKILL: it only sleeps) and resolves once it is gone; one already gone is left alone. */
export async function stopHolder(holder: NamespaceHolder): Promise<void> {
  if (!holderAlive(holder)) return;
  try {
    process.kill(holder.pid, 'SIGKILL');
  } catch {
    return; // gone meanwhile
  }
  for (let waited = 0; waited < 5_000 && holderAlive(holder); waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** busybox's absolute path: the PATH's, else the usual places; undefined when there is none. */
export function findBusybox(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/bin', '/usr/bin', '/sbin', '/usr/sbin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'busybox');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
