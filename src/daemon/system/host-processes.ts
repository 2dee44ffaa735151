/**
 * Provided: the host's side of `docker top` and `docker pause` (lesson 13) —
 * running the host's `ps` as dockerd does (`daemon/top_unix.go`), finding a
 * rootless container's processes without a cgroup, and the error a rootless
 * daemon answers a pause with. Spawning a program and walking /proc teach
 * nothing new; lesson 13 uses them in containers/container-processes.ts.
 *
 * ```
 * ?ps_args=-o pid,comm ─▶ psArguments ─▶ ['-o', 'pid,comm'] ─▶ runPs: ps -o pid,comm -q4242,4250   (then without -q)
 * rootless: no cgroup for runc ps ─▶ descendantPids(State.Pid): the init and every process below it, from /proc/<pid>/stat
 * ```
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { InvalidParameterError, SystemError } from '../../errdefs.js';

/**
 * `ps_args` as dockerd passes them to ps: split on spaces (`-ef` when empty).
 * dockerd refuses a renamed PID column (`-o user=PID`), which would pass for the real one.
 * @throws InvalidParameterError `specifying "user=PID" is not allowed`.
 */
export function psArguments(psArgs: string): string[] {
  for (const match of psArgs.matchAll(/\s+([^\s]*)=\s*(PID[^\s]*)/g)) {
    if (match[1] !== 'pid') throw new InvalidParameterError(`specifying "${match[1]}=${match[2]}" is not allowed`);
  }
  const args = psArgs.split(' ').filter((arg) => arg !== '');
  return args.length > 0 ? args : ['-ef'];
}

/**
 * Runs the host's `ps` with `args`, first limited to `pids` (`-q<pid>,…`, as
 * dockerd does), then, when ps refuses that combination (`f`, `-C` …), with
 * `args` alone.
 * @returns ps's stdout: a header line, then one line per process.
 * @throws SystemError `ps: <the first line ps wrote to stderr>` when ps fails.
 */
export async function runPs(args: string[], pids: number[]): Promise<string> {
  try {
    return await run([...args, `-q${pids.join(',')}`]);
  } catch {
    try {
      return await run(args);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      const first = stderr.split('\n')[0] || (err instanceof Error ? err.message : String(err));
      throw new SystemError(`ps: ${first}`);
    }
  }
}

/**
 * A process and all its descendants, from the parent pids in `/proc/<pid>/stat`:
 * a rootless container's processes (its init is `pid`), which have no cgroup
 * of their own for `runc ps` to read.
 * @returns `[]` when `pid` does not exist.
 */
export async function descendantPids(pid: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  let exists = false;
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so read after the last `)`.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (stat === '' || !Number.isInteger(ppid)) continue;
    if (Number(entry) === pid) exists = true;
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  if (!exists) return [];
  const found = [pid];
  for (let i = 0; i < found.length; i++) found.push(...(children.get(found[i] ?? -1) ?? []));
  return found;
}

/**
 * What a rootless daemon answers a pause with: the freezer is a cgroup, and
 * its containers have none. A 500, as dockerd answers a pause the runtime
 * could not do (`cannot pause container <id>: …`).
 */
export function noCgroupToFreeze(id: string): SystemError {
  return new SystemError(
    `cannot pause container ${id}: the container has no cgroup to freeze: minidockerd runs rootless, so its containers get none; pause needs a daemon running as root`,
  );
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ps', args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr }));
      else resolve(stdout);
    });
  });
}
