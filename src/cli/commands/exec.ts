/**
 * Provided: `minidocker exec`, the client side of lesson 13, as the docker
 * CLI runs it (cli/command/container/exec.go).
 *
 * ```
 * containerInspect  GET  /containers/<ref>/json           the container exists (a 404 says so)
 * execCreate        POST /containers/<ref>/exec           {Cmd, Env, WorkingDir, User, Tty, AttachStdin…} → Id
 * -d:  execStartDetached  POST /exec/<id>/start {"Detach":true}  → exit 0, the process runs on
 * else execAttach         POST /exec/<id>/start (Upgrade)        → 101: copy the stream (frames or raw with -t)
 *      execResize         POST /exec/<id>/resize?h=&w=           with -t on a terminal
 *      execInspect        GET  /exec/<id>/json                   → its ExitCode is our exit code
 * ```
 * The typed calls are in `client/exec.ts`.
 */
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ExecCreateRequest } from '../../api/exec-types.js';
import { containerInspect } from '../../client/containers.js';
import { execAttach, execCreate, execInspect, execResize, execStartDetached } from '../../client/exec.js';
import { demultiplex } from '../../client/stdcopy.js';
import type { CliIO, CommandContext } from '../context.js';

/** Flags of `minidocker exec`. */
export interface ExecOptions {
  /** `-d`: start it and return; the process runs on. */
  detach?: boolean;
  /** `-i`: our stdin goes to the process. */
  interactive?: boolean;
  /** `-t`: a pseudo-terminal (the output then comes raw). */
  tty?: boolean;
  /** `-e KEY=VALUE` (repeatable); a bare `-e KEY` takes the value from our environment. */
  env?: string[];
  /** `-w`: the working directory inside the container. */
  workdir?: string;
  /** `-u`: user[:group], a name or a number. */
  user?: string;
  /** `--detach-keys`: the keys that end a `-it` session, e.g. `ctrl-p,ctrl-q`. */
  detachKeys?: string;
}

/**
 * The body of `POST /containers/{id}/exec`, as the docker CLI fills it:
 * AttachStdout and AttachStderr unless `-d`, AttachStdin with `-i` (not `-d`),
 * `Env` null when empty, the terminal's size as ConsoleSize with `-t` on a terminal.
 */
export function buildExecRequest(command: string[], options: ExecOptions, io: CliIO): ExecCreateRequest {
  const attach = !options.detach;
  const env = (options.env ?? []).map((e) => (e.includes('=') || io.env[e] === undefined ? e : `${e}=${io.env[e]}`));
  const size = options.tty && io.stdout.isTTY && io.stdout.rows && io.stdout.columns ? ([io.stdout.rows, io.stdout.columns] as [number, number]) : null;
  return {
    User: options.user ?? '',
    Privileged: false,
    Tty: Boolean(options.tty),
    ConsoleSize: size,
    AttachStdin: Boolean(options.interactive) && attach,
    AttachStdout: attach,
    AttachStderr: attach,
    Detach: Boolean(options.detach),
    DetachKeys: options.detachKeys ?? '',
    Env: env.length > 0 ? env : null,
    WorkingDir: options.workdir ?? '',
    Cmd: command,
  };
}

/**
 * `minidocker exec CONTAINER COMMAND…`: create the exec, start it attached
 * (or detached with `-d`), copy its output, and return its exit code, read
 * from the exec's inspect once the stream ended (126 when the command
 * could not run, the runtime's message already printed from the stream).
 * @returns the exec's exit code, or 0 with `-d`.
 * @throws Error "the input device is not a TTY" for `-it` without a terminal;
 *   what the daemon answers (e.g. `Container … is not running`).
 */
export async function exec(ctx: CommandContext, container: string, command: string[], options: ExecOptions): Promise<number> {
  const { client, io } = ctx;
  const config = buildExecRequest(command, options, io);
  if (config.AttachStdin && config.Tty && !io.stdin.isTTY) throw new Error('the input device is not a TTY');
  await containerInspect(client, container);
  const { Id } = await execCreate(client, container, config);
  if (options.detach) {
    await execStartDetached(client, Id);
    return 0;
  }
  const stream = await execAttach(client, Id, { tty: config.Tty, consoleSize: config.ConsoleSize ?? undefined });
  const restoreStdin = connectStdin(io, stream, config);
  try {
    if (config.Tty && config.ConsoleSize) await execResize(client, Id, { height: config.ConsoleSize[0], width: config.ConsoleSize[1] }).catch(() => undefined);
    await copyOutput(stream, config.Tty ?? false, io).catch((err: unknown) => {
      // Our stdin written after the daemon closed the stream: the output is complete.
      if ((err as NodeJS.ErrnoException | undefined)?.code !== 'EPIPE') throw err;
    });
  } finally {
    stream.destroy();
    restoreStdin();
  }
  const inspected = await execInspect(client, Id);
  return inspected.ExitCode ?? 0;
}

// Without -i the stream is half-closed at once; with it, stdin flows until it ends. Returns the undo.
function connectStdin(io: CliIO, stream: Duplex, config: ExecCreateRequest): () => void {
  if (!config.AttachStdin) {
    stream.end();
    return () => {};
  }
  const raw = Boolean(config.Tty && io.stdin.isTTY && io.stdin.setRawMode);
  if (raw) io.stdin.setRawMode?.(true);
  io.stdin.pipe(stream);
  stream.once('end', () => io.stdin.unpipe(stream));
  return () => {
    io.stdin.unpipe(stream);
    io.stdin.pause();
    if (raw) io.stdin.setRawMode?.(false);
  };
}

// A TTY gives one raw stream (stderr included); otherwise frames to split.
async function copyOutput(stream: Duplex, tty: boolean, io: CliIO): Promise<void> {
  if (tty) await pipeline(stream, io.stdout, { end: false });
  else await demultiplex(stream, io.stdout, io.stderr);
}
