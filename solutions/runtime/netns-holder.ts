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
  const { busybox } = options;
  if (options.join !== undefined) {
    const own = fs.readlinkSync('/proc/self/ns/user');
    const theirs = fs.readlinkSync(`/proc/${options.join}/ns/user`);
    const user = theirs === own ? [] : [`--user=/proc/${options.join}/ns/user`, '--preserve-credentials'];
    return ['nsenter', ...user, `--net=/proc/${options.join}/ns/net`, '--', busybox, 'sh', '-c', `echo ready && exec ${busybox} sleep ${FOREVER_SECONDS}`];
  }
  const user = options.rootless ? ['--user', '--map-root-user'] : [];
  return ['unshare', ...user, '--net', '--', busybox, 'sh', '-c', `${busybox} ip link set lo up && echo ready && exec ${busybox} sleep ${FOREVER_SECONDS}`];
}

/**
 * Starts a holder, detached (its own session, no stdio the daemon keeps),
 * and resolves once it said `ready`: loopback is up in its namespace.
 * @throws Error with what it wrote to stderr when it exits first, or after
 *   {@link HOLDER_START_TIMEOUT_MS}; it is killed then.
 */
export async function startHolder(options: HolderOptions): Promise<NamespaceHolder> {
  const [command = '', ...args] = holderCommand(options);
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`it did not start within ${HOLDER_START_TIMEOUT_MS} ms`)), HOLDER_START_TIMEOUT_MS);
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new Error(`it exited (${signal ?? `status ${code}`}): ${stderr.trim()}`)));
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        out += text;
        if (out.includes('ready\n')) resolve();
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`the network namespace holder (${command}) failed: ${(err as Error).message}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  child.removeAllListeners('exit');
  // The pipes go with the daemon: the holder writes nothing more once it sleeps.
  child.stdout.destroy();
  child.stderr.destroy();
  child.unref();
  const pid = child.pid ?? 0;
  const startTime = processStartTime(pid);
  if (startTime === undefined) throw new Error(`the network namespace holder ${pid} is gone`);
  return { pid, startTime };
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
