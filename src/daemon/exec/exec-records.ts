/**
 * Provided: what the exec service keeps and answers with, which teaches
 * nothing new — the record of one exec instance, where its files live, the
 * inspect document, and the in-memory table of records. Like dockerd's, exec
 * records live in memory only: they end with the daemon, and the records of a
 * container go when it is removed.
 *
 * ```
 * <container dir>/exec/<exec id>/   while the exec runs; removed when it ended
 * ├── process.json                  the runtime-spec process runc exec runs (runtime/exec-process.ts)
 * └── stdout stderr [stdin] pid runtime.log [tty] exit …   the shim's files (runtime/shim.ts)
 * ```
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ExecInspect } from '../../api/exec-types.js';
import { NotFoundError } from '../../errdefs.js';
import type { ConsoleSize } from '../../runtime/spec.js';
import type { Task } from '../../runtime/task.js';
import type { ResolvedUser } from '../../runtime/user.js';
import { DEFAULT_DETACH_KEYS } from '../server/detach-keys.js';

/** An exec's life: created → running → exited. It starts once. */
export type ExecStatus = 'created' | 'running' | 'exited';

/** One exec instance, as `POST /containers/{id}/exec` made it (docker's ExecConfig). */
export interface ExecRecord {
  /** 64 hex digits. */
  readonly id: string;
  /** The container's full id. */
  readonly containerId: string;
  /** Cmd: the program and its arguments. */
  readonly args: string[];
  /** The whole environment the process gets (docker's CreateDaemonEnvironment, then the exec's Env). */
  readonly env: string[];
  /** The working directory: the exec's WorkingDir, else the container's, else '/'. */
  readonly cwd: string;
  /** `User` as asked ('' when none: the container's user). */
  readonly user: string;
  /** Who it runs as, resolved in the container's rootfs, with the container's GroupAdd groups. */
  readonly resolvedUser: ResolvedUser;
  /** Docker's `Tty`. */
  readonly tty: boolean;
  /** The terminal's size from the create request; the start request may give another. */
  readonly consoleSize: ConsoleSize | undefined;
  readonly attachStdin: boolean;
  readonly attachStdout: boolean;
  readonly attachStderr: boolean;
  /** `DetachKeys` as bytes; empty when none were given (then Ctrl-P Ctrl-Q apply, see {@link detachKeysOf}). */
  readonly detachKeys: Buffer;
  status: ExecStatus;
  /** null until the process ended. */
  exitCode: number | null;
  /** The process on the host while it runs, else 0. */
  pid: number;
}

/** What starting an exec takes beyond the record. */
export interface ExecStartOptions {
  /** The terminal's size, over the record's (the start request's `ConsoleSize`). */
  consoleSize?: ConsoleSize | undefined;
  /** Nobody streams the output: the service reads and drops it, so the process never blocks on a full pipe. */
  detach?: boolean | undefined;
}

/** A started exec: what the route streams, and when to stop. */
export interface ExecSession {
  readonly record: ExecRecord;
  /**
   * The running process: read its `stdout` and `stderr` to the end (or the
   * process blocks once a pipe is full), write its `stdin` (`attachStdin`).
   * Undefined when it could not start: then `error` says why.
   */
  readonly task?: Task | undefined;
  /** Why the command could not run, in docker's words (`OCI runtime exec failed: …`); it goes into the stream. */
  readonly error?: string | undefined;
  /** Resolves with the exit code once it is recorded (inspect shows it), after the output ended. */
  readonly exited: Promise<number>;
}

/** What `ExecService.run` (exec-service.ts), the health checks' exec, takes. */
export interface ExecRunOptions {
  /** Kill the process after this many milliseconds. */
  timeoutMs: number;
  /** As `User` of an exec: '' or undefined runs as the container's user. */
  user?: string | undefined;
  /** As `Env` of an exec. */
  env?: string[] | undefined;
}

/** What a health check's exec gave. */
export interface ExecRunResult {
  /** The command's exit code; 126 when it could not run; -1 when it timed out. */
  exitCode: number;
  /** stdout and stderr as they came, at most {@link MAX_PROBE_OUTPUT} bytes, then `...` when cut. */
  output: string;
  /** It ran longer than `timeoutMs` and was killed. */
  timedOut: boolean;
}

/** Docker keeps this much of a health probe's output (`maxOutputLen`). */
export const MAX_PROBE_OUTPUT = 4096;

/** A new random exec id: 64 lower-case hex digits, like a container's. */
export function newExecId(): string {
  return randomBytes(32).toString('hex');
}

/** `<container dir>/exec/<exec id>`: the exec's process.json and shim files while it runs. */
export function execDir(containerDir: string, execId: string): string {
  return path.join(containerDir, 'exec', execId);
}

/** The detach keys a Tty exec's stdin is watched for: its own, else Ctrl-P Ctrl-Q. */
export function detachKeysOf(record: ExecRecord): Buffer {
  return record.detachKeys.length > 0 ? record.detachKeys : Buffer.from(DEFAULT_DETACH_KEYS);
}

/** `GET /exec/{id}/json`: docker's ExecInspect. */
export function toExecInspect(record: ExecRecord): ExecInspect {
  return {
    ID: record.id,
    Running: record.status === 'running',
    ExitCode: record.exitCode,
    ProcessConfig: {
      tty: record.tty,
      entrypoint: record.args[0] ?? '',
      arguments: record.args.slice(1),
      privileged: false,
      ...(record.user !== '' ? { user: record.user } : {}),
    },
    OpenStdin: record.attachStdin,
    OpenStderr: record.attachStderr,
    OpenStdout: record.attachStdout,
    CanRemove: false,
    ContainerID: record.containerId,
    DetachKeys: record.detachKeys.toString('base64'),
    Pid: record.pid,
  };
}

/** The daemon's exec records, in memory (a Map), as dockerd keeps them. */
export class ExecRecords {
  readonly #records = new Map<string, ExecRecord>();

  /** Adds a new record. */
  add(record: ExecRecord): void {
    this.#records.set(record.id, record);
  }

  /**
   * The record of exec `id` (the full id only, as docker finds an exec).
   * @throws NotFoundError `No such exec instance: <id>`.
   */
  get(id: string): ExecRecord {
    const record = this.#records.get(id);
    if (record === undefined) throw new NotFoundError(`No such exec instance: ${id}`);
    return record;
  }

  /** The records of one container, oldest first. */
  ofContainer(containerId: string): ExecRecord[] {
    return [...this.#records.values()].filter((r) => r.containerId === containerId);
  }

  /** Forgets every record of a container (it was removed). */
  deleteContainer(containerId: string): void {
    for (const record of this.ofContainer(containerId)) this.#records.delete(record.id);
  }
}

/**
 * Reads a started exec to its end as a health probe does: stdout and stderr
 * together, the first {@link MAX_PROBE_OUTPUT} bytes, then `...` when cut; a
 * command that could not run gives its `error` as output. After `timeoutMs`
 * the process is killed (SIGKILL, by its host pid) and the result says so,
 * exit code -1, once it has ended.
 */
export async function probeResult(session: ExecSession, timeoutMs: number): Promise<ExecRunResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  let cut = false;
  const keep = (chunk: Buffer): void => {
    const room = MAX_PROBE_OUTPUT - size;
    if (chunk.length > room) cut = true;
    if (room <= 0) return;
    chunks.push(chunk.subarray(0, room));
    size += Math.min(room, chunk.length);
  };
  if (session.error !== undefined) keep(Buffer.from(session.error));
  session.task?.stdout.on('data', keep);
  session.task?.stderr.on('data', keep);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'late')));
  const outcome = await Promise.race([session.exited, late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    try {
      if (session.task !== undefined && session.task.pid > 0) process.kill(session.task.pid, 'SIGKILL');
    } catch {
      // it ended meanwhile
    }
    await session.exited;
  }
  const output = Buffer.concat(chunks).toString('utf8') + (cut ? '...' : '');
  return outcome === 'late' ? { exitCode: -1, output, timedOut: true } : { exitCode: outcome, output, timedOut: false };
}
