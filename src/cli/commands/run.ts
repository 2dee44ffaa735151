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
import { NotImplementedError } from '../../errors.js';
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
  // TODO(lesson-02): Fill the create body from the flags, as the TSDoc above lists.
  // HINT: Cmd/Env null when empty; a bare `-e KEY` becomes `KEY=<io.env[KEY]>` when the CLI has it.
  // HINT: return withVolumes(withNetworking(body, options.networking), options.volumes): -p, --dns (lesson 14), -v, --mount (lesson 15) go in there.
  void image, command, options, io;
  throw new NotImplementedError('lesson-02: buildCreateRequest');
}

/**
 * The error `run` ends with when the daemon refuses (docker's `toStatusError`):
 * `minidocker: <described error>` plus a pointer to `--help`, with exit code
 * 127 when the message says "executable file not found" or "no such file or
 * directory", 126 for "permission denied" or "is a directory", else 125.
 */
export function runStatusError(err: unknown): StatusError {
  // TODO(lesson-02): Wrap describeError(err) as `minidocker: …` plus the help pointer, with exit code 127, 126 or 125.
  void err;
  throw new NotImplementedError('lesson-02: runStatusError');
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
  // TODO(lesson-02): Create (404 → pull to stderr → create again), then attach, wait, start, copy the output, return StatusCode.
  // HINT: client/containers.ts has containerCreate, containerAttach, containerWait and containerStart.
  // HINT: containerWait resolves at the response headers: await it, start, and call its result() only at the end.
  // HINT: without -i end() the attach stream at once; with -i pipe io.stdin into it. -d: create, wait, start, print the id, close the wait.
  void ctx, image, command, options;
  throw new NotImplementedError('lesson-02: run');
}
