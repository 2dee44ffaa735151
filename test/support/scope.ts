/**
 * The one test scope: the bookkeeping of everything a check, a fixture or a
 * harness starts or creates — temp dirs, child processes, mounts, runc/crun
 * containers, servers and any other cleanup — undone by
 * {@link TestScope.cleanup} in reverse order, also when the check failed half
 * way, and all of it even when some cleanups fail. Every harness in
 * test/support builds on it.
 *
 * ```ts
 * const scope = new TestScope();
 * afterEach(() => scope.cleanup());
 *
 * it('…', async () => {
 *   const dir = await scope.tempDir('dockerlings-11-');   // rm -rf, after killing what names it and unmounting below it
 *   const proc = scope.spawn('node', [script]);           // stopped by pid (SIGKILL unless told), awaited
 *   scope.container('runc', root, id);                    // runc --root <root> delete --force <id>
 *   scope.mount(target);                                  // umount, lazily when busy
 *   const server = scope.use(await startServer());        // server.close(), connections dropped
 *   scope.defer(() => …, 'what it undoes');               // anything else
 * });
 * ```
 *
 * Cleanups run last-registered first, so a process started in a temp dir
 * stops before the dir goes. Each one is awaited; one that throws does not
 * stop the others, and `cleanup()` rejects afterwards with every failure. The
 * built-in cleanups accept that their thing is already gone (a process that
 * exited, a container deleted by the check, a closed server). A scope can be
 * cleaned up any number of times: each time undoes what was registered since.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import fs from 'node:fs/promises';
import type { Server as HttpServer } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { mountPoints, mountsUnder, processesNaming } from '../../fixtures/host-state.js';

const exec = promisify(execFile);

/** How a child process ended. */
export interface ExitStatus {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process the scope stops at cleanup. */
export interface ScopedProcess {
  pid: number;
  child: ChildProcess;
  /** Everything it wrote to stdout so far ('' unless stdout is a pipe). */
  stdout(): string;
  /** Everything it wrote to stderr so far ('' unless stderr is a pipe). */
  stderr(): string;
  /** Settles when the process has exited. */
  exited: Promise<ExitStatus>;
  /** Sends a signal by pid; a no-op once it has exited. */
  signal(signal: NodeJS.Signals): void;
  /** Stops it now as cleanup would, and waits until it has exited. */
  stop(): Promise<ExitStatus>;
}

/** Options of {@link TestScope.spawn}: node's, plus how cleanup stops the process. */
export interface ScopedSpawnOptions extends SpawnOptions {
  /** The signal cleanup sends (default SIGKILL). */
  stopSignal?: NodeJS.Signals;
  /** With another stopSignal than SIGKILL: SIGKILL after this many ms when it is still running (default 5 000). */
  killAfterMs?: number;
  /** Names it in cleanup errors (default: the command's base name). */
  label?: string;
}

/** Anything with a `close()`: a server, a registry, a fake daemon, a watcher. */
export interface Closable {
  close(): unknown;
}

interface Cleanup {
  label: string;
  run: () => unknown;
}

/** Sends a signal by pid; false when there is no such process any more. */
function kill(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Whether a process is still there (a zombie counts as gone). */
async function alive(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z /s.test(stat);
}

/** Unmounts one mount point: a plain umount, a lazy one when that fails (something still busy). */
export async function unmount(target: string): Promise<void> {
  if (!mountPoints().includes(target)) return;
  try {
    await exec('umount', [target]);
  } catch {
    await exec('umount', ['-l', target]);
  }
}

/**
 * Empties the way to removing `dir`: kills (SIGKILL, by pid) every process
 * whose command line names it and waits until they are gone, then unmounts
 * everything mounted below it, deepest first.
 * @throws Error when a process outlives 5 s or a mount cannot be unmounted.
 */
export async function releaseDir(dir: string): Promise<void> {
  const pids = processesNaming(dir).filter((pid) => {
    try {
      return kill(pid, 'SIGKILL');
    } catch {
      return false; // not ours to kill (EPERM): removing the dir may still work
    }
  });
  for (let waited = 0; pids.length > 0; waited += 10) {
    const left = [];
    for (const pid of pids) if (await alive(pid)) left.push(pid);
    if (left.length === 0) break;
    if (waited > 5_000) throw new Error(`processes ${left.join(', ')} naming ${dir} outlived SIGKILL`);
    await new Promise((r) => setTimeout(r, 10));
  }
  for (const target of mountsUnder(dir)) await unmount(target);
}

/** `rm -rf dir`; a second try after making every directory writable (a check may leave read-only ones). */
async function removeDir(dir: string): Promise<void> {
  try {
    await fs.rm(dir, { recursive: true, force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw err;
    await makeWritable(dir);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function makeWritable(dir: string): Promise<void> {
  await fs.chmod(dir, 0o700).catch(() => undefined);
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await makeWritable(path.join(dir, entry.name));
}

/** Whether a failed `<runtime> delete` only says the container is gone already. */
const alreadyGone = (err: unknown) => /does not exist|not found|no such/i.test(`${(err as { stderr?: string }).stderr ?? ''} ${(err as Error).message}`);

/** Owns cleanups; see the top of this file. */
export class TestScope {
  readonly #cleanups: Cleanup[] = [];

  /** How many cleanups are waiting. */
  get pending(): number {
    return this.#cleanups.length;
  }

  /** Registers a cleanup callback; `label` names it when it fails. */
  defer(cleanup: () => unknown, label = 'a deferred cleanup'): void {
    this.#cleanups.push({ label, run: cleanup });
  }

  /**
   * Registers a server or anything else with `close()`, and returns it. A
   * node server drops its open connections first (an HTTP server's idle and
   * active ones), so closing never waits for a client; closing one that is
   * not running any more is fine.
   */
  use<T extends Closable | net.Server>(resource: T, label = resource.constructor.name): T {
    this.defer(async () => {
      if (resource instanceof net.Server) {
        if ('closeAllConnections' in resource) (resource as HttpServer).closeAllConnections();
        await new Promise<void>((resolve, reject) =>
          resource.close((err) => (err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING' ? reject(err) : resolve())),
        );
      } else {
        await (resource as Closable).close();
      }
    }, `closing ${label}`);
    return resource;
  }

  /**
   * A new empty dir under the system temp dir. Cleanup kills (by pid) what
   * still names it, unmounts what is mounted below it, then removes it.
   * @param prefix its name's start; keep it short where a socket goes inside (108-byte limit).
   */
  async tempDir(prefix = 'dockerlings-'): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    this.defer(async () => {
      await releaseDir(dir);
      await removeDir(dir);
    }, `removing ${dir}`);
    return dir;
  }

  /**
   * Spawns a child process that cleanup stops by pid (SIGKILL unless told
   * otherwise) and waits for. Piped stdout and stderr are collected.
   * @throws Error when it cannot be spawned (e.g. no such executable).
   */
  spawn(command: string, args: string[], options: ScopedSpawnOptions = {}): ScopedProcess {
    const { stopSignal = 'SIGKILL', killAfterMs = 5_000, label = path.basename(command), ...spawnOptions } = options;
    const child = spawn(command, args, spawnOptions);
    let spawnError: Error | undefined;
    child.once('error', (err) => (spawnError = err));
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    let done = false;
    const exited = new Promise<ExitStatus>((resolve) =>
      child.once('exit', (code, signal) => {
        done = true;
        resolve({ code, signal });
      }),
    );
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not spawn ${command}${spawnError ? `: ${spawnError.message}` : ''}`);
    const signal = (sig: NodeJS.Signals) => {
      if (!done) kill(pid, sig);
    };
    const stop = async (): Promise<ExitStatus> => {
      if (done) return exited;
      signal(stopSignal);
      const killer = stopSignal === 'SIGKILL' ? undefined : setTimeout(() => signal('SIGKILL'), killAfterMs);
      try {
        return await exited;
      } finally {
        clearTimeout(killer);
      }
    };
    this.defer(stop, `stopping ${label} (pid ${pid})`);
    return { pid, child, stdout: () => out, stderr: () => err, exited, signal, stop };
  }

  /** Registers a mount point the check made: cleanup unmounts it (lazily when busy) if it is still mounted. */
  mount(target: string): void {
    this.defer(() => unmount(target), `unmounting ${target}`);
  }

  /** Registers a container: cleanup runs `<binary> --root <root> delete --force <id>` (gone already is fine). */
  container(binary: string, root: string, id: string): void {
    this.defer(async () => {
      await exec(binary, ['--root', root, 'delete', '--force', id]).catch((err: unknown) => {
        if (!alreadyGone(err)) throw err;
      });
    }, `deleting container ${id} (${path.basename(binary)} --root ${root})`);
  }

  /**
   * Runs every registered cleanup, last registered first, each awaited.
   * @throws Error (one failure) or AggregateError (several) once all have run.
   */
  async cleanup(): Promise<void> {
    const failures: Error[] = [];
    // pop() also runs what a cleanup registers meanwhile.
    for (let next = this.#cleanups.pop(); next !== undefined; next = this.#cleanups.pop()) {
      try {
        await next.run();
      } catch (err) {
        failures.push(new Error(`${next.label}: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} cleanups failed: ${failures.map((f) => f.message).join('; ')}`);
  }
}
