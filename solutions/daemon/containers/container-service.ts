/**
 * The daemon's containers: the records (container-store.ts) brought to life
 * through the runtime. A container moves created → running → exited (and
 * back to running on start), and is finally removed.
 *
 * ```
 * start ─▶ startTask (shim: mount + runc run) ─▶ stdout/stderr ─▶ container-json.log + attach listeners
 *                                        exited (shim unmounted) ─▶ record saved (ExitCode, FinishedAt)
 *                                                ─▶ 'exit' (wait next-exit, attach and follow end)
 *                                                ─▶ AutoRemove? remove ─▶ 'removed' (wait removed)
 * ```
 * The daemon may die while containers run: the shim keeps them going, and
 * the next daemon adopts them ({@link ContainerService.restore}).
 */
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvalidParameterError, SystemError } from '../../errdefs.js';
import type { ContainerSummary, ContainerWaitResponse } from '../../api/types.js';
import type { JsonFileLog } from '../../runtime/json-log.js';
import { isMountPoint, overlayMountArgs, removeRootfs, rootfsPath } from '../../runtime/rootfs.js';
import { RuntimeError } from '../../runtime/runc.js';
import { adoptTask, startTask } from '../../runtime/task.js';
import type { ExitStatus, Task } from '../../runtime/task.js';
import type { ContainersBackend } from '../backends.js';
import type { Signal, WaitCondition } from '../routes/container-requests.js';
import { imageRootfsPath } from './container-create.js';
import { checkTransition } from './container-state.js';
import { ContainerServiceBase, stopSignalOf } from './container-service-base.js';
import { consoleSizeOf, rfc3339Nano } from './container-store.js';
import type { ContainerRecord } from './container-store.js';
import { matchesFilters, toInspect, toSummary } from './container-views.js';
import type { ContainerFilters } from './container-views.js';

/**
 * The containers backend behind `/containers/*`. Every operation first asks
 * the state machine (container-state.ts) whether the container's state allows it.
 */
export class ContainerService extends ContainerServiceBase implements ContainersBackend {
  readonly #removals = new Map<string, Promise<void>>();

  /**
   * Loads the records after a daemon (re)start and adopts the containers that
   * were running: a live one is re-attached (its output goes on into the log),
   * one that exited meanwhile gets its exit code. Half-created and half-removed
   * containers are cleaned up.
   */
  async restore(): Promise<void> {
    for (const orphan of await this.store.load()) {
      await removeRootfs(this.store.dir(orphan)).catch(() => undefined);
      await fs.rm(this.store.dir(orphan), { recursive: true, force: true });
    }
    for (const record of this.store.all()) {
      if (record.State.Status === 'removing') {
        await this.#destroy(record);
      } else if (record.State.Running) {
        const dir = this.store.dir(record.Id);
        const outcome = await adoptTask(this.runc, { id: record.Id, dir, bundle: path.join(dir, 'bundle') });
        if ('exited' in outcome) {
          await this.adoptPorts(record, outcome.pid).catch(() => undefined);
          this.#watch(record, outcome, await this.openLog(record));
        } else await this.#exited(record, outcome);
      }
    }
  }

  /**
   * Starts a created or exited container through the shim, which mounts an
   * overlay rootfs first (and unmounts it when the container exits); resolves
   * once its process runs.
   * @throws NotModifiedError when it already runs; InvalidParameterError with the
   *   runtime's message when the command cannot run (exit code 127 or 126 recorded).
   */
  async start(ref: string): Promise<void> {
    const record = this.resolve(ref);
    checkTransition(record.Id, record.State.Status, 'start');
    const dir = this.store.dir(record.Id);
    await this.deleteRuntimeState(record.Id).catch(() => undefined);
    // upper/ keeps the changes of earlier runs. A rootfs still mounted (its shim was killed) is used as it is.
    const mount = record.Driver === 'overlay2' && !(await isMountPoint(rootfsPath(dir)))
      ? overlayMountArgs(imageRootfsPath(this.dataRoot, record.Image), dir)
      : undefined;
    // Its mounts, network files and namespace, and its host ports, bound before the process runs: a port in use fails the start with nothing running.
    const ports = await this.prepareStart(record);
    const log = await this.openLog(record);
    let task: Task;
    try {
      task = await startTask(this.runc, {
        id: record.Id, dir, bundle: path.join(dir, 'bundle'), stdin: record.Config.OpenStdin, terminal: record.Config.Tty, mount,
        consoleSize: consoleSizeOf(record.HostConfig.ConsoleSize),
      });
    } catch (err) {
      log?.close();
      await ports?.close();
      const message = err instanceof Error ? err.message : String(err);
      const code = /executable file not found|no such file or directory/.test(message) ? 127 : /permission denied/.test(message) ? 126 : 128;
      record.State = { ...record.State, Status: record.State.Status === 'created' ? 'created' : 'exited', ExitCode: code, Error: message };
      await this.store.save(record);
      // Like dockerd: an AutoRemove container that cannot start is removed (docker run --rm waits for it).
      if (record.HostConfig.AutoRemove) await this.#destroy(record).catch(() => undefined);
      if (err instanceof RuntimeError && code !== 128) throw new InvalidParameterError(message);
      throw new SystemError(`failed to start container ${record.Id}: ${message}`);
    }
    let unpublished: unknown;
    if (ports !== undefined) await this.publishPorts(record, ports, task.pid).catch((err: unknown) => (unpublished = err));
    record.State = { ...record.State, Status: 'running', Running: true, Pid: task.pid, ExitCode: 0, Error: '', StartedAt: rfc3339Nano() };
    await this.store.save(record);
    this.#watch(record, task, log);
    this.live(record.Id).emit('start', task);
    if (unpublished !== undefined) {
      // A container whose ports are not published does not run: it is killed, and its exit recorded as any other.
      await this.kill(record.Id, 'SIGKILL').catch(() => undefined);
      throw unpublished;
    }
  }

  /**
   * Removes a container: runtime state, rootfs (unmounted), logs and record;
   * with `volumes` (`rm -v`) its anonymous volumes too.
   * @throws ConflictError for a running container without `force` (with it, it is killed first).
   */
  async remove(ref: string, force = false, volumes = false): Promise<void> {
    const record = this.resolve(ref);
    checkTransition(record.Id, record.State.Status, force ? 'force-remove' : 'remove');
    if (record.State.Running) await this.kill(record.Id, 'SIGKILL').catch(() => undefined);
    await this.#destroy(record);
    if (volumes) await this.removeVolumes(record);
  }

  /**
   * Stops a running container: its StopSignal (SIGTERM unless Config.StopSignal
   * says otherwise), then SIGKILL after `timeout` seconds (when undefined,
   * Config.StopTimeout, else 10; -1 waits forever). Resolves once it has exited.
   * @throws NotModifiedError when it is not running.
   */
  async stop(ref: string, timeout?: number): Promise<void> {
    const record = this.resolve(ref);
    checkTransition(record.Id, record.State.Status, 'stop');
    const seconds = timeout ?? record.Config.StopTimeout ?? 10;
    const exited = once(this.live(record.Id), 'exit');
    await this.sendSignal(record, stopSignalOf(record)).catch(() => undefined);
    if (seconds >= 0) {
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(r, seconds * 1000, true)))]);
      clearTimeout(timer);
      // SIGKILL to the container's init ends its whole pid namespace (`--all` would need cgroups, absent rootless).
      if (late) await this.sendSignal(record, 'SIGKILL').catch(() => undefined);
    }
    await exited;
  }

  /**
   * Sends `signal` to the container's process; for SIGKILL, resolves once it exited.
   * @throws ConflictError when it is not running.
   */
  async kill(ref: string, signal: Signal): Promise<void> {
    const record = this.resolve(ref);
    checkTransition(record.Id, record.State.Status, 'kill');
    const exited = once(this.live(record.Id), 'exit');
    await this.sendSignal(record, signal);
    if (signal === 'SIGKILL' || signal === os.constants.signals.SIGKILL) await exited;
  }

  /** Stops the container when it runs (as {@link stop}), then starts it. */
  async restart(ref: string, timeout?: number): Promise<void> {
    const record = this.resolve(ref);
    checkTransition(record.Id, record.State.Status, 'restart');
    if (record.State.Running) await this.stop(record.Id, timeout);
    await this.start(record.Id);
  }

  /**
   * Waits for `condition`: `not-running` answers at once unless the container
   * runs, `next-exit` waits for its next exit, `removed` for its removal.
   * Aborting `signal` (the client went away) drops the waiter.
   */
  async wait(id: string, condition: WaitCondition, signal?: AbortSignal): Promise<ContainerWaitResponse> {
    const record = this.resolve(id);
    if (condition === 'not-running' && !record.State.Running) return { StatusCode: record.State.ExitCode, Error: null };
    const live = this.live(record.Id);
    const events = condition === 'removed' ? ['removed'] : ['exit', 'removed'];
    await Promise.race(events.map((event) => once(live, event, { signal })));
    return { StatusCode: record.State.ExitCode, Error: null };
  }

  /** `GET /containers/json`: running ones (all with `all`, or a status filter), newest first, at most `limit`. */
  list(options: { all?: boolean; limit?: number; filters?: ContainerFilters }): ContainerSummary[] {
    const filters = options.filters ?? {};
    const all = options.all === true || (options.limit ?? 0) > 0 || (filters.status?.length ?? 0) > 0;
    const now = Date.now();
    const found = this.store.all().filter((r) => (all || r.State.Running) && matchesFilters(r, filters));
    return (options.limit !== undefined && options.limit > 0 ? found.slice(0, options.limit) : found).map((r) => toSummary(r, now));
  }

  /** `GET /containers/{id}/json`. */
  inspect(ref: string): Record<string, unknown> {
    const record = this.resolve(ref);
    return toInspect(record, this.logPath(record.Id), this.facts.runtime, this.execIds(record.Id));
  }

  // Feeds the task's output to the log (none with the none log driver) and the listeners, and handles its exit.
  #watch(record: ContainerRecord, task: Task, log: JsonFileLog | undefined): void {
    const live = this.live(record.Id);
    live.task = task;
    live.log = log;
    for (const stream of ['stdout', 'stderr'] as const) {
      task[stream].on('data', (chunk: Buffer) => {
        log?.write(stream, chunk);
        live.emit('output', stream, chunk);
      });
    }
    task.exited.then(
      (status) => this.#exited(record, status),
      (err: unknown) => this.#exited(record, { exitCode: 255, finishedAt: new Date() }, err),
    );
  }

  // The exit code is saved before anyone hears of the exit: wait answers and streams end after.
  async #exited(record: ContainerRecord, status: ExitStatus, err?: unknown): Promise<void> {
    const live = this.live(record.Id);
    record.State = {
      ...record.State, Status: 'exited', Running: false, Pid: 0, ExitCode: status.exitCode,
      Error: err instanceof Error ? err.message : '', FinishedAt: rfc3339Nano(status.finishedAt),
    };
    await this.releaseNetwork(record).catch(() => undefined);
    await this.store.save(record).catch(() => undefined);
    live.log?.close();
    live.task = undefined;
    live.log = undefined;
    live.emit('exit', status.exitCode);
    // --rm takes the container's anonymous volumes along, as docker's does.
    if (record.HostConfig.AutoRemove) await this.#destroy(record).then(() => this.removeVolumes(record)).catch(() => undefined);
  }

  // Removes everything of a container once, however many callers ask.
  #destroy(record: ContainerRecord): Promise<void> {
    let removal = this.#removals.get(record.Id);
    if (removal === undefined) {
      removal = (async () => {
        record.State.Status = 'removing';
        await this.store.save(record).catch(() => undefined);
        await this.deleteRuntimeState(record.Id);
        await removeRootfs(this.store.dir(record.Id));
        await this.store.delete(record.Id);
        this.live(record.Id).emit('removed');
        this.forget(record.Id);
      })().finally(() => this.#removals.delete(record.Id));
      this.#removals.set(record.Id, removal);
    }
    return removal;
  }
}
