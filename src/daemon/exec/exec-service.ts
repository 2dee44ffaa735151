/**
 * `docker exec`: more processes in a running container. An exec instance is
 * made first (`POST /containers/{id}/exec`: the command, env, user… resolved
 * and kept in memory), then started once (`POST /exec/{id}/start`): its
 * process.json is written and lesson 11's shim runs `runc exec` with it, which
 * joins the container's namespaces. Its end is recorded like a container's.
 *
 * ```
 * create ─▶ container running? ─▶ user (the container's rootfs), env, cwd ─▶ ExecRecord (created)
 * start  ─▶ created? (409 once it ran) ─▶ <container dir>/exec/<id>/process.json (execProcess)
 *        ─▶ startTask(runArgs: runc exec …) ─▶ running: task.stdout/stderr/stdin for the route
 *        ─▶ exit: ExitCode recorded ─▶ exec dir removed ─▶ session.exited resolves (the stream ends after)
 *        ─▶ runc exec failed: 126, its message into the stream
 * ```
 * Records live in memory and go with their container (its `removed` event).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExecInspect } from '../../api/exec-types.js';
import { ConflictError, InvalidParameterError } from '../../errdefs.js';
import { NotImplementedError } from '../../errors.js';
import { execProcess, readBundleProcess, writeProcessFile } from '../../runtime/exec-process.js';
import { mergeEnv } from '../../runtime/process-config.js';
import { resizeTerminal, taskFiles } from '../../runtime/shim.js';
import type { ConsoleSize } from '../../runtime/spec.js';
import { startTask } from '../../runtime/task.js';
import type { Task } from '../../runtime/task.js';
import { resolveGroups, resolveUser } from '../../runtime/user.js';
import type { ExecTarget, ExecsBackend } from '../backends.js';
import { checkTransition } from '../containers/container-state.js';
import { consoleSizeOf } from '../containers/container-store.js';
import { execCreateBody } from '../routes/exec-requests.js';
import type { ExecCreateBody } from '../routes/exec-requests.js';
import { parse } from '../server/validate.js';
import { ExecRecords, execDir, newExecId, probeResult, toExecInspect } from './exec-records.js';
import type { ExecRecord, ExecRunOptions, ExecRunResult, ExecSession, ExecStartOptions } from './exec-records.js';

/**
 * The exit code of an exec whose command could not run: 126, whatever the
 * runtime said — dockerd records 126 for every failed exec start (a command
 * that is not there included; only a container's `run` tells 127 apart), and
 * clients such as testcontainers' port check read exactly that.
 */
export function execFailureCode(_message: string): number {
  return 126;
}

/** The exec backend behind `/containers/{id}/exec` and `/exec/*`. */
export class ExecService implements ExecsBackend {
  readonly #target: ExecTarget;
  readonly #records = new ExecRecords();
  /** Containers whose `removed` event already takes their records along. */
  readonly #watched = new Set<string>();

  constructor(target: ExecTarget) {
    this.#target = target;
  }

  /**
   * `POST /containers/{id}/exec`: resolves what the process will be and keeps
   * the record; nothing runs yet.
   * @returns the new exec's id.
   * @throws NotFoundError `No such container: <ref>`; ConflictError when the
   *   container is not running or is paused; InvalidParameterError for an
   *   unknown user or group.
   */
  async create(containerRef: string, body: ExecCreateBody): Promise<{ Id: string }> {
    // TODO(lesson-13): Check the container allows an exec, resolve the process's user, env and cwd as docker does, and add the record.
    // HINT: this.#target.resolve(ref), then checkTransition(container.Id, container.State.Status, 'exec'): docker's 404 and 409s.
    // HINT: user: resolveUser(<container dir>/bundle/rootfs, body.User || container.Config.User), with
    // HINT: resolveGroups(rootfs, container.HostConfig.GroupAdd ?? []) appended to its additionalGids.
    // HINT: env: mergeEnv(undefined, [...container Config.Env, ...body.Env], container.Config.Hostname, tty) applies both lists in order.
    // HINT: cwd: body.WorkingDir || container.Config.WorkingDir || '/'; consoleSizeOf(body.ConsoleSize); then this.#forgetWith(container.Id).
    void containerRef, body;
    throw new NotImplementedError('lesson-13: ExecService.create');
  }

  /**
   * `POST /exec/{id}/start`: runs the exec's process through the shim
   * (`runc exec`). Resolves once it runs; a command that cannot run resolves
   * too, with the runtime's message as `error` and 126 recorded.
   * @throws NotFoundError `No such exec instance: <id>`; ConflictError
   *   `Error: Exec command <id> is already running` / `… has already run`, or
   *   when its container is not running any more.
   */
  async start(id: string, options: ExecStartOptions = {}): Promise<ExecSession> {
    // TODO(lesson-13): Claim the exec (409 unless created), write its process.json and run it through the shim with runc exec.
    // HINT: record.status = 'running' before the first await (a second start is refused); its container must still allow 'exec'.
    // HINT: dir = execDir(<container dir>, id); execProcess(await readBundleProcess(<container dir>/bundle), …) → writeProcessFile(<dir>/process.json).
    // HINT: startTask(this.#target.runc, { id, dir, bundle, stdin, terminal, consoleSize (options', else the record's),
    // HINT:   runArgs: runc.execArgs(container.Id, processFile, taskFiles(dir).pid, taskFiles(dir).log) }).
    // HINT: a failed start is no exception: exited = this.#exited(record, execFailureCode(message), dir); return { record, error: `OCI runtime exec failed: ${message}`, exited }.
    // HINT: record.pid = task.pid; with options.detach resume() stdout and stderr (nobody reads them); exited = task.exited → this.#exited.
    void id, options;
    throw new NotImplementedError('lesson-13: ExecService.start');
  }

  /** `GET /exec/{id}/json`. @throws NotFoundError `No such exec instance: <id>`. */
  inspect(id: string): ExecInspect {
    return toExecInspect(this.#records.get(id));
  }

  /**
   * Resizes a running Tty exec's terminal (`docker exec -it` on SIGWINCH).
   * @throws NotFoundError; ConflictError when it is not running; InvalidParameterError without a Tty.
   */
  async resize(id: string, size: ConsoleSize): Promise<void> {
    // TODO(lesson-13): Refuse an exec that is not running (409) or has no Tty (400), then resizeTerminal(its exec dir, size).
    void id, size;
    throw new NotImplementedError('lesson-13: ExecService.resize');
  }

  /** The ids of a container's running execs: inspect's `ExecIDs`, as docker lists them. */
  execIds(containerId: string): string[] {
    return this.#records.ofContainer(containerId).filter((r) => r.status === 'running').map((r) => r.id);
  }

  /**
   * Runs `cmd` in a running container and collects its output, for health
   * checks (exec-records.ts `probeResult`): stdout and stderr together, the
   * first 4096 bytes. After `timeoutMs` the process is killed and the result
   * says `timedOut`, exit code -1. A command that cannot run gives 126 with
   * the runtime's message as output.
   * @throws as {@link create} and {@link start} (e.g. the container is not running).
   */
  async run(containerId: string, cmd: string[], options: ExecRunOptions): Promise<ExecRunResult> {
    const body = parse(execCreateBody, { Cmd: cmd, User: options.user, Env: options.env, AttachStdout: true, AttachStderr: true });
    const { Id } = await this.create(containerId, body);
    return probeResult(await this.start(Id, {}), options.timeoutMs);
  }

  // The exit code is recorded before anyone hears of the end: the stream ends, and inspect answers, after.
  async #exited(record: ExecRecord, exitCode: number, dir: string, task?: Task): Promise<number> {
    // TODO(lesson-13): Record the end first (exitCode, status 'exited', pid 0), then destroy the task's stdin, remove dir and return the code.
    void record, exitCode, dir, task;
    throw new NotImplementedError('lesson-13: ExecService.#exited');
  }

  // A container's exec records go when it is removed.
  #forgetWith(containerId: string): void {
    if (this.#watched.has(containerId)) return;
    this.#watched.add(containerId);
    this.#target.live(containerId).once('removed', () => {
      this.#records.deleteContainer(containerId);
      this.#watched.delete(containerId);
    });
  }
}
