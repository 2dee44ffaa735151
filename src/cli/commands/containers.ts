/**
 * `minidocker ps`, `logs`, `stop` and `rm`.
 *
 * ```
 * ps [-a]       → containerList:    GET /containers/json[?all=1]  → CONTAINER ID  IMAGE  COMMAND  CREATED  STATUS  PORTS  NAMES
 * logs [-f] web → containerInspect: GET /containers/web/json (Id, Config.Tty)
 *               → containerLogs:    GET /containers/<Id>/logs?stdout=1&stderr=1&tail=all[&follow=1] → frames → stdout / stderr
 * stop web      → containerStop:    POST /containers/web/stop[?t=N]  → prints "web"
 * rm [-f] web   → containerRemove:  DELETE /containers/web[?force=1] → prints "web"
 * ```
 * The typed calls are in `client/containers.ts`.
 */
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '../../errdefs.js';
import { containerInspect, containerList, containerLogs, containerRemove, containerStop } from '../../client/containers.js';
import { demultiplex } from '../../client/stdcopy.js';
import { NotImplementedError } from '../../errors.js';
import { shortId } from '../../units.js';
import type { CommandContext } from '../context.js';
import { describeError, ellipsis, formatTable, timeAgo } from '../format.js';
import { displayablePorts } from '../network-format.js';

/** Flags of `minidocker ps`. */
export interface PsOptions {
  /** `-a`: include stopped containers (`?all=1`). */
  all?: boolean;
  /** `-q`: print only the container ids. */
  quiet?: boolean;
}

/** Flags of `minidocker logs`. */
export interface LogsOptions {
  /** `-f`: keep streaming until the container exits (`follow=1`). */
  follow?: boolean;
  /** `-n`: how many lines from the end; `all` by default. */
  tail?: string;
}

/** Flags of `minidocker stop`. */
export interface StopOptions {
  /** `-t`: seconds before SIGKILL (`?t=N`); the daemon's default when absent. */
  timeout?: number;
}

/** Flags of `minidocker rm`. */
export interface RmOptions {
  /** `-f`: remove running containers too (`?force=1`). */
  force?: boolean;
}

/**
 * `minidocker ps`: `GET /containers/json` (`?all=1` with `-a`), printed as
 * docker's table: short id, image, the command quoted and cut to 20
 * characters (`"sh -c 'while true; …"`), created ago, the daemon's status
 * text, ports as docker shows them (`displayablePorts`, provided:
 * `127.0.0.1:49153->80/tcp`), and the first name without its leading `/`.
 * @returns 0.
 */
export async function ps(ctx: CommandContext, options: PsOptions): Promise<number> {
  // TODO(lesson-02): List the containers with containerList (all only with -a) and print docker's container table.
  // HINT: columns CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES; COMMAND is JSON.stringify(ellipsis(cmd, 20)).
  // HINT: PORTS is displayablePorts(c.Ports) (cli/network-format.ts, provided).
  void ctx, options;
  throw new NotImplementedError('lesson-02: ps');
}

/**
 * `minidocker logs CONTAINER`: inspects the container for its full `Id` and
 * `Config.Tty`, then streams `GET /containers/<Id>/logs`. Without a TTY the
 * body is multiplexed frames, split to stdout and stderr; with one it is raw
 * bytes, copied to stdout.
 * @returns 0 once the stream ends (with `-f`: when the container stops).
 */
export async function logs(ctx: CommandContext, container: string, options: LogsOptions): Promise<number> {
  // TODO(lesson-02): containerInspect the name, then stream containerLogs of its full Id to stdout/stderr.
  // HINT: options { stdout: true, stderr: true, tail, follow }; demultiplex() the frames unless Config.Tty (then copy raw).
  void ctx, container, options;
  throw new NotImplementedError('lesson-02: logs');
}

/**
 * `minidocker stop CONTAINER…`: `POST /containers/<name>/stop` (`?t=N` with
 * `-t`) for every name at once; prints each name that stopped, in the order given.
 * @returns 0.
 * @throws AggregateError of the failures, once every name has been tried.
 */
export async function stop(ctx: CommandContext, containers: string[], options: StopOptions): Promise<number> {
  // TODO(lesson-02): containerStop every name (timeout from -t) at once; print the names that stopped.
  // HINT: Promise.allSettled keeps going past failures; throw new AggregateError(reasons) if any failed.
  void ctx, containers, options;
  throw new NotImplementedError('lesson-02: stop');
}

/**
 * `minidocker rm CONTAINER…`: `DELETE /containers/<name>` (`?force=1` with
 * `-f`) for every name at once; prints each name removed, in the order given.
 * With `-f`, a container that does not exist is reported on stderr but is not a failure.
 * @returns 0.
 * @throws AggregateError of the failures, once every name has been tried.
 */
export async function rm(ctx: CommandContext, containers: string[], options: RmOptions): Promise<number> {
  // TODO(lesson-02): containerRemove every name (force from -f) at once; print the names removed.
  // HINT: with -f a NotFoundError is only printed to stderr (describeError), not a failure.
  void ctx, containers, options;
  throw new NotImplementedError('lesson-02: rm');
}
