/**
 * The run section's timed operations. Each one is a function that runs one
 * container (or one start-up) and resolves when it is over; the section
 * times them round-robin, so a slow moment of the machine hits every tool
 * alike.
 *
 * Processes are timed from `spawn()` to their exit event, the same way for
 * minidocker, runc and podman: the cost of forking them from this Node
 * process is in every row.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, RunFixture } from './run-fixture.js';

/** One way of running the operation, to be timed. */
export type Operation = () => Promise<void>;

/**
 * Runs `file args` and resolves at its exit; rejects with its last stderr
 * line when it exits non-zero. Resolving at exit, not when its pipes close,
 * matters for `runc create`: the container inherits its stderr and keeps it
 * open until it ends. With `timeoutMs`, a process still running then is
 * killed (SIGKILL) and the promise rejects saying so.
 */
export function spawnToExit(file: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const command = (): string => [path.basename(file), ...args.map((a) => path.basename(a))].join(' ');
    let stderr = '';
    let timedOut = false;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      if (timedOut) return reject(new Error(`${command()} did not exit within ${timeoutMs} ms`));
      // Give the pipe a moment to deliver what was written just before the exit.
      setTimeout(() => {
        const first = stderr.trim().split('\n')[0] ?? '';
        reject(new Error(`${command()} failed (${signal ?? `exit ${code}`}): ${first}`));
      }, 50);
    });
  });
}

let serial = 0;
/** A container id no earlier run used. */
const nextId = (prefix: string): string => `${prefix}-${process.pid}-${++serial}`;

/** `runc run --bundle B id`: create, start, wait and delete in one runc process (runc is its own subreaper). */
export function runcRun(runc: string, fx: RunFixture): Operation {
  return () => spawnToExit(runc, ['--root', fx.runcRoot, 'run', '--bundle', fx.bundle, nextId('bench-run')]);
}

/**
 * `podman run --rm --runtime runc --network none --ulimit … --rootfs DIR true`.
 * runc, as for minidockerd (Debian's podman defaults to crun, which refuses hosts
 * with hybrid cgroups). Explicit open-files and process limits, because podman's
 * defaults lie above the hard limits of a host without CAP_SYS_RESOURCE, and the
 * runtime may not raise them.
 */
export function podmanRun(podman: string, rootfs: string): Operation {
  const limits = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
  return () => spawnToExit(podman, ['run', '--rm', '--runtime', 'runc', '--network', 'none', ...limits, '--rootfs', rootfs, 'true']);
}

/** Whether a process has ended: gone, or a zombie its (new) parent has not reaped yet. */
function ended(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may itself contain them.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/**
 * The runtime-spec lifecycle by hand: `runc create --pid-file P`, `runc start`,
 * wait for the container's init to end, `runc delete`. runc create leaves the
 * init to whoever reaps orphans (this process cannot be a subreaper), so the
 * wait polls `/proc/<pid>/stat` every millisecond until the process is gone
 * or a zombie; a `runc state` per poll would cost a runc start-up each time.
 */
export function runcLifecycle(runc: string, fx: RunFixture): Operation {
  return async () => {
    const id = nextId('bench-cycle');
    const pidFile = path.join(fx.dir, `${id}.pid`);
    const root = ['--root', fx.runcRoot];
    await spawnToExit(runc, [...root, 'create', '--bundle', fx.bundle, '--pid-file', pidFile, id]);
    const pid = Number((await fs.readFile(pidFile, 'utf8')).trim());
    await spawnToExit(runc, [...root, 'start', id]);
    while (!ended(pid)) await sleep(1);
    await spawnToExit(runc, [...root, 'delete', id]);
    await fs.rm(pidFile, { force: true });
  };
}

/** The body `minidocker run --network none busybox true` sends to create (its Config and HostConfig). */
export const CREATE_BODY = {
  Image: 'busybox',
  Cmd: ['true'],
  AttachStdin: false,
  AttachStdout: false,
  AttachStderr: false,
  Tty: false,
  OpenStdin: false,
  HostConfig: { NetworkMode: 'none' },
};

/**
 * The daemon's lifecycle through a warm client: `POST /containers/create`,
 * `POST /containers/{id}/start`, `POST /containers/{id}/wait` (condition
 * not-running: it answers once the container has exited, or at once if it
 * already has), `DELETE /containers/{id}`. Checks the exit code is 0.
 */
export function daemonLifecycle(client: Client): Operation {
  return async () => {
    const { Id } = await client.json<{ Id: string }>('POST', '/containers/create', { body: CREATE_BODY });
    await client.json('POST', `/containers/${Id}/start`);
    const wait = await client.json<{ StatusCode: number }>('POST', `/containers/${Id}/wait`, { query: { condition: 'not-running' } });
    await client.json('DELETE', `/containers/${Id}`);
    if (wait.StatusCode !== 0) throw new Error(`the container exited with ${wait.StatusCode}, not 0`);
  };
}

/** Every run's milliseconds of each operation, or why it stopped. */
export interface Samples {
  ms: number[];
  error?: string;
}

/**
 * Times the operations round-robin: one untimed warm-up each, then `runs`
 * rounds in which each runs once. An operation that fails stops being run and
 * keeps its first error.
 */
export async function timeRoundRobin(operations: Operation[], runs: number, onRound?: (round: number) => void): Promise<Samples[]> {
  const samples: Samples[] = operations.map(() => ({ ms: [] }));
  const once = async (i: number, timed: boolean): Promise<void> => {
    const sample = samples[i]!;
    if (sample.error !== undefined) return;
    const start = process.hrtime.bigint();
    try {
      await operations[i]!();
      if (timed) sample.ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    } catch (err) {
      sample.error = (err as Error).message.split('\n')[0];
    }
  };
  for (let i = 0; i < operations.length; i++) await once(i, false);
  for (let round = 0; round < runs; round++) {
    onRound?.(round);
    for (let i = 0; i < operations.length; i++) await once(i, true);
  }
  return samples;
}
