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
  const list = await containerList(ctx.client, { all: options.all });
  if (options.quiet) {
    ctx.io.stdout.write(list.map((c) => `${shortId(c.Id)}\n`).join(''));
    return 0;
  }
  const rows = list.map((c) => [
    shortId(c.Id),
    c.Image.startsWith('sha256:') ? shortId(c.Image) : c.Image.replace(/@.*$/, ''),
    JSON.stringify(ellipsis(c.Command, 20)),
    timeAgo(c.Created),
    c.Status,
    displayablePorts(c.Ports ?? []),
    (c.Names ?? []).map((n) => n.replace(/^\//, '')).find((n) => !n.includes('/')) ?? '',
  ]);
  ctx.io.stdout.write(formatTable([['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], ...rows]));
  return 0;
}

/**
 * `minidocker logs CONTAINER`: inspects the container for its full `Id` and
 * `Config.Tty`, then streams `GET /containers/<Id>/logs`. Without a TTY the
 * body is multiplexed frames, split to stdout and stderr; with one it is raw
 * bytes, copied to stdout.
 * @returns 0 once the stream ends (with `-f`: when the container stops).
 */
export async function logs(ctx: CommandContext, container: string, options: LogsOptions): Promise<number> {
  const { client, io } = ctx;
  const inspect = await containerInspect(client, container);
  const res = await containerLogs(client, inspect.Id, { stdout: true, stderr: true, tail: options.tail ?? 'all', follow: options.follow });
  if (inspect.Config?.Tty) await pipeline(res, io.stdout, { end: false });
  else await demultiplex(res, io.stdout, io.stderr);
  return 0;
}

/**
 * `minidocker stop CONTAINER…`: `POST /containers/<name>/stop` (`?t=N` with
 * `-t`) for every name at once; prints each name that stopped, in the order given.
 * @returns 0.
 * @throws AggregateError of the failures, once every name has been tried.
 */
export async function stop(ctx: CommandContext, containers: string[], options: StopOptions): Promise<number> {
  return forEach(ctx, containers, (name) => containerStop(ctx.client, name, { timeout: options.timeout }), false);
}

/**
 * `minidocker rm CONTAINER…`: `DELETE /containers/<name>` (`?force=1` with
 * `-f`) for every name at once; prints each name removed, in the order given.
 * With `-f`, a container that does not exist is reported on stderr but is not a failure.
 * @returns 0.
 * @throws AggregateError of the failures, once every name has been tried.
 */
export async function rm(ctx: CommandContext, containers: string[], options: RmOptions): Promise<number> {
  return forEach(ctx, containers, (name) => containerRemove(ctx.client, name, { force: options.force }), options.force ?? false);
}

// docker runs these in parallel, prints names in argument order, and reports the errors together.
async function forEach(ctx: CommandContext, names: string[], op: (name: string) => Promise<unknown>, ignoreMissing: boolean): Promise<number> {
  const results = await Promise.allSettled(names.map(op));
  const errors: unknown[] = [];
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') ctx.io.stdout.write(`${names[i]}\n`);
    else if (ignoreMissing && result.reason instanceof NotFoundError) ctx.io.stderr.write(`${describeError(result.reason)}\n`);
    else errors.push(result.reason);
  });
  if (errors.length > 0) throw new AggregateError(errors);
  return 0;
}
