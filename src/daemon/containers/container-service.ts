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
import { NotImplementedError } from '../../errors.js';
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
    // TODO(lesson-12): Load the records, clean up orphans and half-removed containers, and adopt the ones that were running.
    // HINT: start with `await this.store.load()` alone: every route waits for restore, so it must work first.
    // HINT: a running record: adoptTask(this.runc, {id, dir, bundle}) → a Task ("exited" in it) to watch with the log
    // HINT: reopened (this.openLog(record)), or an ExitStatus to record as the exit.
    // HINT: lesson 14: a running one's port proxy is found again with this.adoptPorts(record, task.pid) before #watch.
    throw new NotImplementedError('lesson-12: ContainerService.restore');
  }

  /**
   * Starts a created or exited container through the shim, which mounts an
   * overlay rootfs first (and unmounts it when the container exits); resolves
   * once its process runs.
   * @throws NotModifiedError when it already runs; InvalidParameterError with the
   *   runtime's message when the command cannot run (exit code 127 or 126 recorded).
   */
  async start(ref: string): Promise<void> {
    // TODO(lesson-12): Start a created or exited container with startTask and record it as running.
    // HINT: checkTransition(id, status, 'start') first (304 when it runs). this.deleteRuntimeState(id): a failed run may have left state.
    // HINT: startTask gets consoleSize: consoleSizeOf(record.HostConfig.ConsoleSize), the size a Tty starts with.
    // HINT: Driver overlay2: pass startTask mount: overlayMountArgs(imageRootfsPath(this.dataRoot, record.Image), dir),
    // HINT: unless isMountPoint(rootfsPath(dir)) (a killed shim left it mounted: use it as it is).
    // HINT: open the log with this.openLog(record) before startTask; a failure records ExitCode 127 (not found) or 126 (permission denied) and
    // HINT: State.Error, and becomes a 400 (InvalidParameterError) with the runtime's message; an AutoRemove
    // HINT: container that cannot start is destroyed (docker run --rm waits for its removal).
    // HINT: then save Status running, Running, Pid, StartedAt (rfc3339Nano), call #watch and emit "start" on the LiveContainer.
    // HINT: lessons 14 and 15: ports = await this.prepareStart(record) before startTask (mounts, network files, namespace, host ports; close
    // HINT: the ports if startTask fails), then this.publishPorts(record, ports, task.pid) before the save; #exited calls
    // HINT: this.releaseNetwork(record) before its save.
    throw new NotImplementedError('lesson-12: ContainerService.start');
  }

  /**
   * Removes a container: runtime state, rootfs (unmounted), logs and record;
   * with `volumes` (`rm -v`) its anonymous volumes too.
   * @throws ConflictError for a running container without `force` (with it, it is killed first).
   */
  async remove(ref: string, force = false, volumes = false): Promise<void> {
    // TODO(lesson-12): Refuse a running container unless forced (then kill it first), and destroy it.
    // HINT: checkTransition(id, status, force ? 'force-remove' : 'remove') answers with docker's 409; a forced one is killed (SIGKILL) first.
    // HINT: lesson 15: with volumes (rm -v), this.removeVolumes(record) after the destroy; #exited does it for an AutoRemove container.
    throw new NotImplementedError('lesson-12: ContainerService.remove');
  }

  /**
   * Stops a running container: its StopSignal (SIGTERM unless Config.StopSignal
   * says otherwise), then SIGKILL after `timeout` seconds (when undefined,
   * Config.StopTimeout, else 10; -1 waits forever). Resolves once it has exited.
   * @throws NotModifiedError when it is not running.
   */
  async stop(ref: string, timeout?: number): Promise<void> {
    // TODO(lesson-12): checkTransition 'stop', then the stop signal through this.runc, SIGKILL after the timeout, and resolve on "exit".
    // HINT: stopSignalOf(record) is the signal, sent with this.sendSignal (it thaws a paused container);
    // HINT: timeout ?? record.Config.StopTimeout ?? 10 the seconds.
    // HINT: take once(this.live(id), 'exit') BEFORE the first kill, or a quick exit is missed; race it against a timer.
    throw new NotImplementedError('lesson-12: ContainerService.stop');
  }

  /**
   * Sends `signal` to the container's process; for SIGKILL, resolves once it exited.
   * @throws ConflictError when it is not running.
   */
  async kill(ref: string, signal: Signal): Promise<void> {
    // TODO(lesson-12): checkTransition 'kill', then this.sendSignal(record, signal); for SIGKILL (name or number 9) wait for "exit".
    throw new NotImplementedError('lesson-12: ContainerService.kill');
  }

  /** Stops the container when it runs (as {@link stop}), then starts it. */
  async restart(ref: string, timeout?: number): Promise<void> {
    // TODO(lesson-12): checkTransition 'restart'; stop it if it runs, then start it.
    throw new NotImplementedError('lesson-12: ContainerService.restart');
  }

  /**
   * Waits for `condition`: `not-running` answers at once unless the container
   * runs, `next-exit` waits for its next exit, `removed` for its removal.
   * Aborting `signal` (the client went away) drops the waiter.
   */
  async wait(id: string, condition: WaitCondition, signal?: AbortSignal): Promise<ContainerWaitResponse> {
    // TODO(lesson-12): Resolve {StatusCode, Error: null} when the condition is met.
    // HINT: events.once(this.live(id), "exit" | "removed", {signal}) waits for one event and gives up when signal aborts.
    throw new NotImplementedError('lesson-12: ContainerService.wait');
  }

  /** `GET /containers/json`: running ones (all with `all`, or a status filter), newest first, at most `limit`. */
  list(options: { all?: boolean; limit?: number; filters?: ContainerFilters }): ContainerSummary[] {
    // TODO(lesson-12): Return the summaries of the running containers (every one with all, a limit or a status filter) that pass the filters, at most limit.
    throw new NotImplementedError('lesson-12: ContainerService.list');
  }

  /** `GET /containers/{id}/json`. */
  inspect(ref: string): Record<string, unknown> {
    // TODO(lesson-12): Resolve the container and return toInspect(record, its log path, this.facts.runtime, this.execIds(id)).
    throw new NotImplementedError('lesson-12: ContainerService.inspect');
  }

  // Feeds the task's output to the log (none with the none log driver) and the listeners, and handles its exit.
  #watch(record: ContainerRecord, task: Task, log: JsonFileLog | undefined): void {
    // TODO(lesson-12): Keep task and log on the LiveContainer, copy each output chunk to the log and to "output" listeners, and handle the exit.
    // HINT: task.stdout/stderr "data" → log?.write(stream, chunk) and live.emit("output", stream, chunk);
    // HINT: task.exited → #exited (a rejection counts as exit code 255).
    throw new NotImplementedError('lesson-12: ContainerService.watch');
  }

  // The exit code is saved before anyone hears of the exit: wait answers and streams end after.
  async #exited(record: ContainerRecord, status: ExitStatus, err?: unknown): Promise<void> {
    // TODO(lesson-12): Record the exit, then close the log and tell the listeners, then remove an AutoRemove container.
    // HINT: order matters: save State (exited, ExitCode, FinishedAt, Pid 0) BEFORE log.close() and emit("exit"):
    // HINT: clients read the exit code as soon as their stream ends.
    throw new NotImplementedError('lesson-12: ContainerService.exited');
  }

  // Removes everything of a container once, however many callers ask.
  #destroy(record: ContainerRecord): Promise<void> {
    // TODO(lesson-12): Remove the container once: runtime state, rootfs, directory and record, then emit "removed".
    // HINT: keep the promise in this.#removals so a forced remove and an AutoRemove share one removal;
    // HINT: this.deleteRuntimeState(id), removeRootfs(dir), store.delete(id); after "removed", this.forget(id).
    throw new NotImplementedError('lesson-12: ContainerService.destroy');
  }
}
