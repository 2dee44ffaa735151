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
import { EventEmitter, once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConflictError, InvalidParameterError, NotModifiedError, SystemError } from '../../errdefs.js';
import type { ContainerSummary, ContainerWaitResponse } from '../../api/types.js';
import { JsonFileLog } from '../../runtime/json-log.js';
import { isMountPoint, overlayMountArgs, removeRootfs, rootfsPath } from '../../runtime/rootfs.js';
import { Runc, RuntimeError } from '../../runtime/runc.js';
import type { ConsoleSize } from '../../runtime/spec.js';
import { adoptTask, startTask } from '../../runtime/task.js';
import type { ExitStatus, Task } from '../../runtime/task.js';
import { resizeTerminal } from '../../runtime/task-files.js';
import { createContainer, imageRootfsPath } from './container-create.js';
import { killContainer } from './container-signals.js';
import type { CreateBody } from './container-create.js';
import { ContainerStore, consoleSizeOf, rfc3339Nano } from './container-store.js';
import type { ContainerRecord } from './container-store.js';
import { matchesFilters, toInspect, toSummary } from './container-views.js';
import type { ContainerFilters } from './container-views.js';
import type { ImageService } from '../images/image-service.js';

/** Options of {@link ContainerService}. */
export interface ContainerServiceOptions {
  dataRoot: string;
  images: ImageService;
  /** `runc` (default), `crun`, or a path to either. */
  runtime?: string;
}

/** `condition` of `POST /containers/{id}/wait`. */
export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/**
 * What the daemon holds for one container while it lives. Events:
 * `output` (stream, chunk) for every chunk the container writes, `start`
 * (task), `exit` (exit code: the record is saved by then), `removed`.
 */
export class LiveContainer extends EventEmitter {
  task: Task | undefined;
  log: JsonFileLog | undefined;

  constructor() {
    super();
    this.setMaxListeners(0);
  }
}

/** The containers backend behind `/containers/*`. */
export class ContainerService {
  readonly dataRoot: string;
  readonly images: ImageService;
  readonly store: ContainerStore;
  readonly runc: Runc;
  readonly #live = new Map<string, LiveContainer>();
  readonly #removals = new Map<string, Promise<void>>();

  constructor(options: ContainerServiceOptions) {
    const runtime = options.runtime ?? 'runc';
    this.dataRoot = options.dataRoot;
    this.images = options.images;
    this.store = new ContainerStore(options.dataRoot);
    this.runc = new Runc({ binary: runtime, root: path.join(options.dataRoot, 'runtime', path.basename(runtime)) });
  }

  /** The live state of container `id` (made on first use). */
  live(id: string): LiveContainer {
    let live = this.#live.get(id);
    if (live === undefined) this.#live.set(id, (live = new LiveContainer()));
    return live;
  }

  /** `<container dir>/container-json.log`. */
  logPath(id: string): string {
    return path.join(this.store.dir(id), 'container-json.log');
  }

  /** Finds a container by id, name or unique id prefix. @throws as ContainerStore.resolve. */
  resolve(ref: string): ContainerRecord {
    return this.store.resolve(ref);
  }

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
        if ('exited' in outcome) this.#watch(record, outcome, await JsonFileLog.open(this.logPath(record.Id)));
        else await this.#exited(record, outcome);
      }
    }
  }

  /** `POST /containers/create`: see container-create.ts. */
  async create(body: CreateBody, name: string | undefined): Promise<{ Id: string; Warnings: string[] }> {
    const { record, warnings } = await createContainer({ dataRoot: this.dataRoot, images: this.images, store: this.store }, body, name);
    return { Id: record.Id, Warnings: warnings };
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
    if (record.State.Running) throw new NotModifiedError(`container ${record.Id} is already running`);
    if (record.State.Status === 'removing') throw new ConflictError(`container ${record.Id} is marked for removal and cannot be started`);
    const dir = this.store.dir(record.Id);
    await this.#deleteRuntimeState(record.Id).catch(() => undefined);
    // upper/ keeps the changes of earlier runs. A rootfs still mounted (its shim was killed) is used as it is.
    const mount = record.Driver === 'overlay2' && !(await isMountPoint(rootfsPath(dir)))
      ? overlayMountArgs(imageRootfsPath(this.dataRoot, record.Image), dir)
      : undefined;
    const log = await JsonFileLog.open(this.logPath(record.Id));
    let task: Task;
    try {
      task = await startTask(this.runc, {
        id: record.Id, dir, bundle: path.join(dir, 'bundle'), stdin: record.Config.OpenStdin, terminal: record.Config.Tty, mount,
        consoleSize: consoleSizeOf(record.HostConfig.ConsoleSize),
      });
    } catch (err) {
      log.close();
      const message = err instanceof Error ? err.message : String(err);
      const code = /executable file not found|no such file or directory/.test(message) ? 127 : /permission denied/.test(message) ? 126 : 128;
      record.State = { ...record.State, Status: record.State.Status === 'created' ? 'created' : 'exited', ExitCode: code, Error: message };
      await this.store.save(record);
      // Like dockerd: an AutoRemove container that cannot start is removed (docker run --rm waits for it).
      if (record.HostConfig.AutoRemove) await this.#destroy(record).catch(() => undefined);
      if (err instanceof RuntimeError && code !== 128) throw new InvalidParameterError(message);
      throw new SystemError(`failed to start container ${record.Id}: ${message}`);
    }
    record.State = { ...record.State, Status: 'running', Running: true, Pid: task.pid, ExitCode: 0, Error: '', StartedAt: rfc3339Nano() };
    await this.store.save(record);
    this.#watch(record, task, log);
    this.live(record.Id).emit('start', task);
  }

  /**
   * Resizes a running Tty container's terminal, as `docker run -t` asks
   * right after start and whenever its window changes size.
   * @throws ConflictError when it is not running; InvalidParameterError when it has no Tty.
   */
  async resize(ref: string, size: ConsoleSize): Promise<void> {
    const record = this.resolve(ref);
    if (!record.State.Running) throw new ConflictError(`Container ${record.Id} is not running`);
    if (!record.Config.Tty) throw new InvalidParameterError(`container ${record.Id} has no terminal to resize: it was created without Tty`);
    await resizeTerminal(this.store.dir(record.Id), size);
  }

  /**
   * Removes a container: runtime state, rootfs (unmounted), logs and record.
   * @throws ConflictError for a running container without `force` (with it, it is killed first).
   */
  async remove(ref: string, force = false): Promise<void> {
    const record = this.resolve(ref);
    if (record.State.Running) {
      if (!force) {
        throw new ConflictError(
          `You cannot remove a running container ${record.Id}. Stop the container before attempting removal or force remove`,
        );
      }
      await killContainer(this, record.Id, 'KILL').catch(() => undefined);
    }
    await this.#destroy(record);
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
    return toInspect(record, this.logPath(record.Id));
  }

  // Feeds the task's output to the log and the listeners, and handles its exit.
  #watch(record: ContainerRecord, task: Task, log: JsonFileLog): void {
    const live = this.live(record.Id);
    live.task = task;
    live.log = log;
    for (const stream of ['stdout', 'stderr'] as const) {
      task[stream].on('data', (chunk: Buffer) => {
        log.write(stream, chunk);
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
    await this.store.save(record).catch(() => undefined);
    live.log?.close();
    live.task = undefined;
    live.log = undefined;
    live.emit('exit', status.exitCode);
    if (record.HostConfig.AutoRemove) await this.#destroy(record).catch(() => undefined);
  }

  // `runc run` deletes its container when it exits, so the runtime usually holds no
  // state and the delete (a runtime process, milliseconds) is skipped. State is left
  // behind only when a shim died with its container, or a start failed half way.
  async #deleteRuntimeState(id: string): Promise<void> {
    const held = await fs.access(path.join(this.runc.root, id)).then(() => true, () => false);
    if (held) await this.runc.delete(id, { force: true });
  }

  // Removes everything of a container once, however many callers ask.
  #destroy(record: ContainerRecord): Promise<void> {
    let removal = this.#removals.get(record.Id);
    if (removal === undefined) {
      removal = (async () => {
        record.State.Status = 'removing';
        await this.store.save(record).catch(() => undefined);
        await this.#deleteRuntimeState(record.Id);
        await removeRootfs(this.store.dir(record.Id));
        await this.store.delete(record.Id);
        this.live(record.Id).emit('removed');
        this.#live.delete(record.Id);
      })().finally(() => this.#removals.delete(record.Id));
      this.#removals.set(record.Id, removal);
    }
    return removal;
  }
}
