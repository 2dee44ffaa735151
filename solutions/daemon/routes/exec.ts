/**
 * The exec API: HTTP in, an {@link ExecsBackend} call, HTTP out.
 *
 * ```
 * POST /containers/{id}/exec     201 {Id}; 404 No such container; 409 not running or paused; 400 no Cmd
 * POST /exec/{id}/start          Connection: Upgrade ─▶ 101 UPGRADED, the stream on the socket (docker CLI)
 *                                no Upgrade          ─▶ 200 raw-stream, the stream in the body (dockerode, testcontainers)
 *                                {"Detach": true}    ─▶ 200, empty: the process runs on
 *                                404 No such exec instance; 409 already running / already ran
 * GET  /exec/{id}/json           200 ExecInspect (ExitCode null until it ended)
 * POST /exec/{id}/resize?h=&w=   200; 409 not running; 400 without a Tty
 * ```
 * The stream: the process's stdout and stderr as frames (api/stdcopy.ts), or
 * raw with a Tty; the client's bytes to its stdin with AttachStdin. It ends
 * once the exit code is recorded: clients inspect right after.
 */
import type { Socket } from 'node:net';
import { InvalidParameterError } from '../../errdefs.js';
import { STDERR, STDOUT, frame } from '../../api/stdcopy.js';
import type { StreamType } from '../../api/stdcopy.js';
import type { ExecsBackend } from '../backends.js';
import { consoleSizeOf } from '../containers/container-store.js';
import { detachKeysOf } from '../exec/exec-records.js';
import type { ExecSession } from '../exec/exec-records.js';
import { DetachKeysWatcher } from '../server/detach-keys.js';
import { hijack } from '../server/hijack.js';
import { sendJson } from '../server/http.js';
import type { RouteContext, RouteHandler } from '../server/router.js';
import type { RouteRegistrar } from '../server/route-registrar.js';
import { validated } from '../server/validate.js';
import type { RequestSchemas, Validated } from '../server/validate.js';
import { resizeQuery } from './container-requests.js';
import type { ResizeQuery } from './container-requests.js';
import { execCreateBody, execStartBody } from './exec-requests.js';
import type { ExecCreateBody, ExecStartBody } from './exec-requests.js';

/** What the exec routes are given by the composition root. */
export interface ExecRoutesOptions {
  backend: ExecsBackend;
  /** Settles once the containers are loaded; a failure is every request's answer. */
  ready: Promise<void>;
}

/** An exec handler: the backend, the request, and its checked query and body. */
export type ExecHandler<Q, B = undefined> = (backend: ExecsBackend, ctx: RouteContext, input: Validated<Q, B>) => Promise<void>;

/** Registers the exec routes on the given backend. */
export function registerExecRoutes(options: ExecRoutesOptions): RouteRegistrar {
  const { backend, ready } = options;
  const route = <Q, B>(schemas: RequestSchemas<Q, B>, handler: ExecHandler<Q, B>): RouteHandler => {
    const checked = validated(schemas, (ctx, input) => handler(backend, ctx, input));
    return async (ctx) => {
      await ready;
      await checked(ctx);
    };
  };
  return (router) => {
    router.add('POST', '/containers/{id}/exec', route({ body: execCreateBody }, postContainerExecCreate));
    router.add('POST', '/exec/{id}/start', route({ body: execStartBody }, postExecStart));
    router.add('GET', '/exec/{id}/json', route({}, getExecByID));
    router.add('POST', '/exec/{id}/resize', route({ query: resizeQuery }, postExecResize));
  };
}

/** `POST /containers/{id}/exec` → 201 `{Id}`. */
export async function postContainerExecCreate(backend: ExecsBackend, ctx: RouteContext, { body }: Validated<unknown, ExecCreateBody>): Promise<void> {
  sendJson(ctx.res, 201, await backend.create(ctx.params.id ?? '', body));
}

/**
 * `POST /exec/{id}/start`: starts the exec, then (unless Detach) hijacks the
 * connection — 101 for a client that asked to upgrade, else 200 — and streams
 * the attached output, framed unless the start request's `Tty`. A command that
 * could not run has its message written as output (stdout). The connection
 * ends once the exit code is recorded. With Detach: 200 at once, no body.
 */
export async function postExecStart(backend: ExecsBackend, ctx: RouteContext, { body }: Validated<unknown, ExecStartBody>): Promise<void> {
  const detach = body.Detach ?? false;
  const session = await backend.start(ctx.params.id ?? '', { consoleSize: consoleSizeOf(body.ConsoleSize), detach });
  if (detach) {
    if (session.error !== undefined) throw new InvalidParameterError(session.error);
    ctx.res.writeHead(200);
    ctx.res.end();
    return;
  }
  const socket = hijack(ctx.req, ctx.res);
  const tty = body.Tty ?? false;
  const { record, task } = session;
  const write = (type: StreamType, chunk: Buffer): void => {
    if (socket.writable) socket.write(tty ? chunk : frame(type, chunk));
  };
  if (session.error !== undefined) write(STDOUT, Buffer.from(`${session.error}\r\n`));
  // Read both to the end even when nothing is attached, or the process blocks on a full pipe.
  task?.stdout.on('data', (chunk: Buffer) => record.attachStdout && write(STDOUT, chunk));
  task?.stderr.on('data', (chunk: Buffer) => record.attachStderr && write(STDERR, chunk));
  connectExecStdin(socket, session, () => socket.end());
  void session.exited.then(() => socket.end());
}

/** `GET /exec/{id}/json` → 200 with docker's ExecInspect. */
export async function getExecByID(backend: ExecsBackend, ctx: RouteContext): Promise<void> {
  sendJson(ctx.res, 200, backend.inspect(ctx.params.id ?? ''));
}

/** `POST /exec/{id}/resize?h=&w=` → 200: the Tty's new size in rows and columns. */
export async function postExecResize(backend: ExecsBackend, ctx: RouteContext, { query }: Validated<ResizeQuery>): Promise<void> {
  await backend.resize(ctx.params.id ?? '', { height: query.h, width: query.w });
  ctx.res.writeHead(200);
  ctx.res.end();
}

/**
 * Connects the client's bytes to the exec's stdin, as docker does: only with
 * AttachStdin; otherwise they are read and dropped, so a half-close never
 * stops the output. Without a Tty the client's half-close closes the exec's
 * stdin (it reads end-of-file). With a Tty the detach keys (the exec's, else
 * Ctrl-P Ctrl-Q) or the client's half-close end the stream (`onDetach`) and
 * the process runs on; the keys never reach it.
 */
export function connectExecStdin(socket: Socket, session: ExecSession, onDetach: () => void): void {
  const stdin = session.task?.stdin;
  if (!session.record.attachStdin || stdin === undefined) {
    socket.resume();
    return;
  }
  if (!session.record.tty) {
    socket.pipe(stdin);
    return;
  }
  const watcher = new DetachKeysWatcher(detachKeysOf(session.record));
  let detached = false;
  const detach = (): void => {
    if (detached) return;
    detached = true;
    socket.unpipe(watcher);
    watcher.unpipe(stdin);
    socket.resume();
    onDetach();
  };
  watcher.once('detach', detach);
  socket.once('end', detach);
  socket.pipe(watcher).pipe(stdin, { end: false });
}
