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
    const container = this.#target.resolve(containerRef);
    checkTransition(container.Id, container.State.Status, 'exec');
    const tty = body.Tty ?? false;
    const rootfs = path.join(this.#target.store.dir(container.Id), 'bundle', 'rootfs');
    const user = await resolveUser(rootfs, body.User || container.Config.User);
    const groups = await resolveGroups(rootfs, container.HostConfig.GroupAdd ?? []);
    const record: ExecRecord = {
      id: newExecId(),
      containerId: container.Id,
      args: body.Cmd ?? [],
      // docker's CreateDaemonEnvironment (PATH, HOSTNAME, TERM with a Tty) with the container's Env, then the exec's, over it.
      env: mergeEnv(undefined, [...(container.Config.Env ?? []), ...(body.Env ?? [])], container.Config.Hostname, tty),
      cwd: body.WorkingDir || container.Config.WorkingDir || '/',
      user: body.User ?? '',
      resolvedUser: { ...user, additionalGids: [...user.additionalGids, ...groups] },
      tty,
      consoleSize: consoleSizeOf(body.ConsoleSize),
      attachStdin: body.AttachStdin ?? false,
      attachStdout: body.AttachStdout ?? false,
      attachStderr: body.AttachStderr ?? false,
      detachKeys: body.DetachKeys ?? Buffer.alloc(0),
      status: 'created',
      exitCode: null,
      pid: 0,
    };
    this.#records.add(record);
    this.#forgetWith(container.Id);
    return { Id: record.id };
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
    const record = this.#records.get(id);
    if (record.status === 'running') throw new ConflictError(`Error: Exec command ${id} is already running`);
    if (record.status === 'exited') throw new ConflictError(`Error: Exec command ${id} has already run`);
    const container = this.#target.resolve(record.containerId);
    checkTransition(container.Id, container.State.Status, 'exec');
    record.status = 'running'; // before any await: a second start is refused
    const containerDir = this.#target.store.dir(container.Id);
    const dir = execDir(containerDir, id);
    let task: Task;
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const bundle = path.join(containerDir, 'bundle');
      const processFile = path.join(dir, 'process.json');
      const consoleSize = options.consoleSize ?? record.consoleSize;
      await writeProcessFile(processFile, execProcess(await readBundleProcess(bundle), {
        args: record.args, env: record.env, cwd: record.cwd, user: record.resolvedUser, terminal: record.tty, consoleSize,
      }));
      const f = taskFiles(dir);
      task = await startTask(this.#target.runc, {
        id, dir, bundle, stdin: record.attachStdin, terminal: record.tty, consoleSize,
        runArgs: this.#target.runc.execArgs(container.Id, processFile, f.pid, f.log),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const exited = this.#exited(record, execFailureCode(message), dir);
      return { record, error: `OCI runtime exec failed: ${message}`, exited };
    }
    record.pid = task.pid;
    // Writes to a stdin closed at the exit are dropped, not thrown.
    task.stdin?.on('error', () => undefined);
    if (options.detach === true) {
      task.stdout.resume();
      task.stderr.resume();
    }
    const exited = task.exited.then(
      (status) => this.#exited(record, status.exitCode, dir, task),
      () => this.#exited(record, 255, dir, task),
    );
    return { record, task, exited };
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
    const record = this.#records.get(id);
    if (record.status !== 'running') throw new ConflictError(`Exec ${id} is not running`);
    if (!record.tty) throw new InvalidParameterError(`exec ${id} has no terminal to resize: it was created without Tty`);
    await resizeTerminal(execDir(this.#target.store.dir(record.containerId), id), size);
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
    record.exitCode = exitCode;
    record.status = 'exited';
    record.pid = 0;
    task?.stdin?.destroy();
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    return exitCode;
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
