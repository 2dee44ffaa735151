/**
 * `minidocker ps`, `logs`, `stop` and `rm`.
 *
 * ```
 * ps [-a]       → GET /containers/json[?all=1]  → CONTAINER ID  IMAGE  COMMAND  CREATED  STATUS  PORTS  NAMES
 * logs [-f] web → GET /containers/web/json (Id, Config.Tty)
 *               → GET /containers/<Id>/logs?stdout=1&stderr=1&tail=all[&follow=1] → frames → stdout / stderr
 * stop web      → POST /containers/web/stop[?t=N]  → prints "web"
 * rm [-f] web   → DELETE /containers/web[?force=1] → prints "web"
 * ```
 */
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '../../errdefs.js';
import type { ContainerInspect, ContainerSummary, PortSummary } from '../../api/types.js';
import { NotImplementedError } from '../../errors.js';
import { demultiplex } from '../../client/stdcopy.js';
import type { CommandContext } from '../context.js';
import { describeError, ellipsis, formatTable, shortId, timeAgo } from '../format.js';

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
 * text, ports, and the first name without its leading `/`.
 * @returns 0.
 */
export async function ps(ctx: CommandContext, options: PsOptions): Promise<number> {
  // TODO(lesson-02): GET /containers/json (query { all: true } only with -a) and print docker's container table.
  // HINT: columns CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES; COMMAND is JSON.stringify(ellipsis(cmd, 20)).
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
  // TODO(lesson-02): Inspect GET /containers/<name>/json, then stream GET /containers/<Id>/logs to stdout/stderr.
  // HINT: query { stdout: true, stderr: true, tail, follow }; demultiplex() the frames unless Config.Tty (then copy raw).
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
  // TODO(lesson-02): POST /containers/<name>/stop (query { t }) for every name; print the names that stopped.
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
  // TODO(lesson-02): DELETE /containers/<name> (query { force }) for every name; print the names removed.
  void ctx, containers, options;
  throw new NotImplementedError('lesson-02: rm');
}
