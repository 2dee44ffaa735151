/**
 * `minidocker run`: the docker CLI's busiest call sequence.
 *
 * ```
 * containerCreate  POST /containers/create[?name=]  ── 404? → "Unable to find image …" → pull → create again
 * containerAttach  POST /containers/<id>/attach?stream=1&stdout=1&stderr=1[&stdin=1]   (101, raw socket)
 * containerWait    POST /containers/<id>/wait?condition=next-exit|removed  (resolves at the headers …)
 * containerStart   POST /containers/<id>/start                              (… before starting)
 * copy the attach stream to stdout/stderr until it ends → exit code = wait's StatusCode
 * ```
 * With `-d`: create → wait → start → print the full id, then drop the wait
 * (docker waits there too, so the start can never race an auto-removal).
 * The typed calls are in `client/containers.ts`.
 */
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '../../errdefs.js';
import type { ContainerCreateRequest, ContainerCreateResponse, HostConfig } from '../../api/types.js';
import type { HealthConfig } from '../../image/types.js';
import { containerAttach, containerCreate, containerStart, containerWait } from '../../client/containers.js';
import type { ContainerWait } from '../../client/containers.js';
import { demultiplex } from '../../client/stdcopy.js';
import { StatusError } from '../context.js';
import type { CliIO, CommandContext } from '../context.js';
import { describeError } from '../format.js';
import { withNetworking } from '../network-flags.js';
import type { NetworkingRequest } from '../network-flags.js';
import { withVolumes } from '../volume-flags.js';
import type { VolumesRequest } from '../volume-flags.js';
import { parseImageName, pullImage } from './images.js';

/** Flags of `minidocker run`. */
export interface RunOptions {
  /** `-d`: start in the background and print the id. */
  detach?: boolean;
  /** `--rm`: the daemon removes the container when it exits (`HostConfig.AutoRemove`). */
  rm?: boolean;
  /** `--name`: sent as `?name=`. */
  name?: string;
  /** `-e KEY=VALUE` (repeatable); a bare `-e KEY` takes the value from the CLI's environment. */
  env?: string[];
  /** `-w`: the working directory inside the container. */
  workdir?: string;
  /** `-i`: keep stdin open and send ours to the container. */
  interactive?: boolean;
  /** `-t`: allocate a pseudo-terminal (output then comes raw, not multiplexed). */
  tty?: boolean;
  /** `--network`: `HostConfig.NetworkMode`, `default` unless given. */
  network?: string;
  /** `--health-*` and `--no-healthcheck`, read by cli/health-flags.ts: the create's `Healthcheck` (none: the image's). */
  healthcheck?: HealthConfig;
  /** `-p`, `-P`, `--expose`, `--network-alias`, `--add-host`, `--dns*`, `-h`, read by cli/network-flags.ts (lesson 14): merged in with `withNetworking`. */
  networking?: NetworkingRequest;
  /** `-v`, `--mount`, `--tmpfs`, `--read-only`, read by cli/volume-flags.ts (lesson 15): merged in with `withVolumes`. */
  volumes?: VolumesRequest;
}

/**
 * The body of `POST /containers/create`, as docker fills it: `Cmd` and `Env`
 * are null when empty, `Entrypoint` null (the image's), attach flags true
 * unless `-d`, `-i` sets OpenStdin (and AttachStdin/StdinOnce unless `-d`),
 * `HostConfig` carries AutoRemove and NetworkMode, plus the terminal's size
 * as `ConsoleSize` ([rows, columns]) with `-t` when stdout is a terminal;
 * `Healthcheck` only when the flags gave one. Last, the port and network
 * flags are merged in, then the volume flags:
 * `withVolumes(withNetworking(body, options.networking), options.volumes)`.
 */
export function buildCreateRequest(image: string, command: string[], options: RunOptions, io: CliIO): ContainerCreateRequest {
  const attach = !options.detach;
  const stdin = Boolean(options.interactive) && attach;
  const env = (options.env ?? []).map((e) => (e.includes('=') || io.env[e] === undefined ? e : `${e}=${io.env[e]}`));
  const hostConfig: HostConfig = { AutoRemove: Boolean(options.rm), NetworkMode: options.network ?? 'default' };
  if (options.tty && io.stdout.isTTY && io.stdout.rows && io.stdout.columns) hostConfig.ConsoleSize = [io.stdout.rows, io.stdout.columns];
  const body = withNetworking({
    AttachStdin: stdin,
    AttachStdout: attach,
    AttachStderr: attach,
    Tty: Boolean(options.tty),
    OpenStdin: Boolean(options.interactive),
    StdinOnce: stdin,
    Env: env.length > 0 ? env : null,
    Cmd: command.length > 0 ? command : null,
    Image: image,
    WorkingDir: options.workdir ?? '',
    Entrypoint: null,
    Labels: {},
    ...(options.healthcheck ? { Healthcheck: options.healthcheck } : {}),
    HostConfig: hostConfig,
  }, options.networking);
  return withVolumes(body, options.volumes);
}

/**
 * The error `run` ends with when the daemon refuses (docker's `toStatusError`):
 * `minidocker: <described error>` plus a pointer to `--help`, with exit code
 * 127 when the message says "executable file not found" or "no such file or
 * directory", 126 for "permission denied" or "is a directory", else 125.
 */
export function runStatusError(err: unknown): StatusError {
  const message = describeError(err);
  let status = 125;
  if (/executable file not found|no such file or directory/.test(message)) status = 127;
  else if (/permission denied|is a directory/.test(message)) status = 126;
  return new StatusError(status, `minidocker: ${message}\n\nRun 'minidocker run --help' for more information`);
}

/**
 * `minidocker run IMAGE [COMMAND…]`: create (pulling on a 404, then creating
 * again), attach, wait, start, copy the output, and return the container's
 * exit code. Attach and wait are both under way before start, so no output
 * and no exit is missed. With `-i` our stdin is piped into the attach stream
 * and the stream half-closed when stdin ends; with `-it` on a terminal, stdin
 * is put in raw mode and restored afterwards.
 * @returns the container's exit code (wait's `StatusCode`), or 0 with `-d`.
 * @throws StatusError from {@link runStatusError} when create or start fail;
 *   Error "the input device is not a TTY" for `-it` without a terminal.
 */
export async function run(ctx: CommandContext, image: string, command: string[], options: RunOptions): Promise<number> {
  const { client, io } = ctx;
  const config = buildCreateRequest(image, command, options, io);
  if (config.AttachStdin && config.Tty && !io.stdin.isTTY) throw new Error('the input device is not a TTY');
  let id: string;
  try {
    id = await createContainer(ctx, config, options.name);
  } catch (err) {
    throw runStatusError(err);
  }
  const condition = options.rm ? 'removed' : 'next-exit';
  if (options.detach) {
    const wait = await containerWait(client, id, { condition });
    try {
      await startContainer(ctx, id);
    } finally {
      wait.close();
    }
    io.stdout.write(`${id}\n`);
    return 0;
  }
  const stream = await containerAttach(client, id, { stream: true, stdin: config.AttachStdin, stdout: true, stderr: true });
  const restoreStdin = connectStdin(io, stream, config);
  // Settles to the copy's error, if any, so an early failure is never an unhandled rejection.
  // An EPIPE is our stdin written after the daemon closed the stream: the output is complete.
  const output = copyOutput(stream, config.Tty ?? false, io).then(
    () => undefined,
    (err: unknown) => ((err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE' ? undefined : (err ?? new Error('output failed'))),
  );
  let wait: ContainerWait | undefined;
  try {
    wait = await containerWait(client, id, { condition });
    await startContainer(ctx, id);
    const failure = await output;
    if (failure) throw failure;
    return await exitStatus(wait);
  } finally {
    wait?.close();
    stream.destroy();
    restoreStdin();
  }
}

// Create; on "no such image" pull it (progress to stderr, as docker does) and create again.
async function createContainer(ctx: CommandContext, config: ContainerCreateRequest, name: string | undefined): Promise<string> {
  const create = () => containerCreate(ctx.client, config, { name });
  let created: ContainerCreateResponse;
  try {
    created = await create();
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    const image = parseImageName(config.Image);
    ctx.io.stderr.write(`Unable to find image '${image.familiar}' locally\n`);
    await pullImage(ctx, image, ctx.io.stderr);
    created = await create();
  }
  for (const warning of created.Warnings ?? []) ctx.io.stderr.write(`WARNING: ${warning}\n`);
  return created.Id;
}

async function startContainer(ctx: CommandContext, id: string): Promise<void> {
  try {
    await containerStart(ctx.client, id);
  } catch (err) {
    throw runStatusError(err);
  }
}

// Without -i the CLI half-closes at once; with it, stdin flows until it ends. Returns the undo.
function connectStdin(io: CliIO, stream: Duplex, config: ContainerCreateRequest): () => void {
  if (!config.AttachStdin) {
    stream.end();
    return () => {};
  }
  const raw = Boolean(config.Tty && io.stdin.isTTY && io.stdin.setRawMode);
  if (raw) io.stdin.setRawMode?.(true);
  io.stdin.pipe(stream); // ends (half-closes) the stream when stdin ends
  stream.once('end', () => io.stdin.unpipe(stream)); // the container is done: nothing more to send
  return () => {
    io.stdin.unpipe(stream);
    io.stdin.pause(); // a paused stdin no longer keeps the process alive
    if (raw) io.stdin.setRawMode?.(false);
  };
}

// A TTY gives one raw stream (stderr included); otherwise frames to split.
async function copyOutput(stream: Duplex, tty: boolean, io: CliIO): Promise<void> {
  if (tty) await pipeline(stream, io.stdout, { end: false });
  else await demultiplex(stream, io.stdout, io.stderr);
}

// The wait body, `{"StatusCode":N,"Error":null}`, arrives once the container has exited (or is removed).
async function exitStatus(wait: ContainerWait): Promise<number> {
  const body = await wait.result();
  if (body.Error?.Message) throw new StatusError(125, `Error waiting for container: ${body.Error.Message}`);
  return body.StatusCode;
}
