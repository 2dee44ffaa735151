/**
 * The containers API: HTTP in, a {@link ContainersBackend} call, HTTP out.
 * Handlers are named after the route, as moby's are (`postContainersCreate`).
 * Each route declares its query and body types (container-requests.ts) and
 * runs only on a request that matches them, so handlers get typed values.
 *
 * ```
 * POST   /containers/create[?name=]          201 {Id, Warnings}; 404 No such image (the CLI pulls); 409 name in use
 * GET    /containers/json?all=&limit=&filters=
 * GET    /containers/{id}/json               inspect
 * POST   /containers/{id}/start              204; 304 when running
 * POST   /containers/{id}/wait?condition=    200, headers flushed at once, body when the condition is met
 * GET    /containers/{id}/logs?stdout=&stderr=&follow=&timestamps=&tail=&since=
 * POST   /containers/{id}/attach?stream=&stdout=&stderr=&stdin=&logs=   101, raw stream
 * POST   /containers/{id}/stop?t=            204 once exited; 304 when not running
 * POST   /containers/{id}/kill?signal=       204; 409 when not running
 * POST   /containers/{id}/restart?t=         204
 * POST   /containers/{id}/resize?h=&w=       200; 409 when not running; 400 without a Tty
 * DELETE /containers/{id}?force=             204; 409 when running without force
 * ```
 * `{id}` is a full id, a name or a unique id prefix. Every handler first
 * waits for the records to be loaded (and running containers adopted).
 */
import path from 'node:path';
import type { SystemInfo } from '../../api/types.js';
import type { ContainersBackend } from '../backends.js';
import { parseFilters } from '../containers/container-views.js';
import { sendJson } from '../server/http.js';
import type { RouteContext, RouteHandler } from '../server/router.js';
import type { RouteRegistrar } from '../server/route-registrar.js';
import { validated } from '../server/validate.js';
import type { RequestSchemas, Validated } from '../server/validate.js';
import {
  EMPTY_CREATE_BODY, attachQuery, containerCreateBody, createQuery, killQuery, listQuery, logsQuery, removeQuery, resizeQuery, stopQuery, waitQuery,
} from './container-requests.js';
import type { ContainerCreateBody, CreateQuery, KillQuery, ListQuery, RemoveQuery, ResizeQuery, StopQuery, WaitQuery } from './container-requests.js';
import { attachContainer, streamLogs } from './logs-and-attach.js';

/** What the containers routes are given by the composition root. */
export interface ContainerRoutesOptions {
  backend: ContainersBackend;
  /** Settles once the records are loaded and running containers adopted; a failure is every request's answer. */
  ready: Promise<void>;
  /** `--runtime`: `runc`, `crun` or a path, for `/info`. */
  runtime: string;
}

/** A containers handler: the backend, the request, and its checked query and body. */
export type ContainersHandler<Q, B = undefined> = (backend: ContainersBackend, ctx: RouteContext, input: Validated<Q, B>) => Promise<void>;

/** Registers the containers routes on the given backend. */
export function registerContainerRoutes(options: ContainerRoutesOptions): RouteRegistrar {
  const { backend, ready } = options;
  const route = <Q, B>(schemas: RequestSchemas<Q, B>, handler: ContainersHandler<Q, B>): RouteHandler => {
    const checked = validated(schemas, (ctx, input) => handler(backend, ctx, input));
    return async (ctx) => {
      await ready;
      await checked(ctx);
    };
  };
  return (router, daemon) => {
    router.add('POST', '/containers/create', route({ query: createQuery, body: containerCreateBody, nullBody: EMPTY_CREATE_BODY }, postContainersCreate));
    router.add('GET', '/containers/json', route({ query: listQuery }, getContainersJSON));
    router.add('GET', '/containers/{id}/json', route({}, getContainersByName));
    router.add('POST', '/containers/{id}/start', route({}, postContainersStart));
    router.add('POST', '/containers/{id}/wait', route({ query: waitQuery }, postContainersWait));
    router.add('GET', '/containers/{id}/logs', route({ query: logsQuery }, streamLogs));
    router.add('POST', '/containers/{id}/attach', route({ query: attachQuery }, attachContainer));
    router.add('POST', '/containers/{id}/stop', route({ query: stopQuery }, postContainersStop));
    router.add('POST', '/containers/{id}/kill', route({ query: killQuery }, postContainersKill));
    router.add('POST', '/containers/{id}/restart', route({ query: stopQuery }, postContainersRestart));
    router.add('POST', '/containers/{id}/resize', route({ query: resizeQuery }, postContainersResize));
    router.add('DELETE', '/containers/{id}', route({ query: removeQuery }, deleteContainers));
    daemon.infoSources.push(() => containerInfo(backend, ready, options.runtime));
  };
}

/**
 * The `/info` fields the containers routes own: the containers counted by
 * state as dockerd counts them (a paused container is paused, not running;
 * every other is stopped), and the runtime, named like its binary.
 * Without the counts when the records cannot be listed: like dockerd, `/info` still answers.
 */
export async function containerInfo(backend: ContainersBackend, ready: Promise<void>, runtime: string): Promise<SystemInfo> {
  const name = path.basename(runtime);
  const runtimes: SystemInfo = { DefaultRuntime: name, Runtimes: { [name]: { path: runtime } } };
  try {
    await ready;
    const all = backend.list({ all: true });
    const running = all.filter((summary) => summary.State === 'running').length;
    const paused = all.filter((summary) => summary.State === 'paused').length;
    return { ...runtimes, Containers: all.length, ContainersRunning: running, ContainersPaused: paused, ContainersStopped: all.length - running - paused };
  } catch {
    return runtimes;
  }
}

/** `POST /containers/create[?name=]` → 201 `{Id, Warnings}`. */
export async function postContainersCreate(
  backend: ContainersBackend, ctx: RouteContext, { query, body }: Validated<CreateQuery, ContainerCreateBody>,
): Promise<void> {
  sendJson(ctx.res, 201, await backend.create(body, query.name));
}

/** `GET /containers/json?all=&limit=&filters=` → 200 with the summaries. */
export async function getContainersJSON(backend: ContainersBackend, ctx: RouteContext, { query }: Validated<ListQuery>): Promise<void> {
  sendJson(ctx.res, 200, backend.list({ all: query.all, limit: query.limit ?? 0, filters: parseFilters(query.filters ?? null) }));
}

/** `GET /containers/{id}/json` → 200 with the inspect document. */
export async function getContainersByName(backend: ContainersBackend, ctx: RouteContext): Promise<void> {
  sendJson(ctx.res, 200, backend.inspect(ctx.params.id ?? ''));
}

/** `POST /containers/{id}/start` → 204 (304 when it runs already). Old clients send a HostConfig body: it is not read. */
export async function postContainersStart(backend: ContainersBackend, ctx: RouteContext): Promise<void> {
  const id = ctx.params.id ?? '';
  // Lesson 15: not while an archive operation holds its root filesystem (a stopped overlay may be mounted for it).
  await backend.exclusive(id, () => backend.start(id));
  noContent(ctx);
}

/**
 * `POST /containers/{id}/wait?condition=` → 200 with the headers flushed at
 * once (the docker CLI starts the container only after it got them), then
 * `{"Error":null,"StatusCode":N}` when the condition is met.
 */
export async function postContainersWait(backend: ContainersBackend, ctx: RouteContext, { query }: Validated<WaitQuery>): Promise<void> {
  const record = backend.resolve(ctx.params.id ?? '');
  const gone = new AbortController();
  const result = backend.wait(record.Id, query.condition, gone.signal);
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  ctx.res.flushHeaders();
  ctx.res.once('close', () => gone.abort());
  try {
    ctx.res.end(`${JSON.stringify(await result)}\n`);
  } catch (err) {
    if (gone.signal.aborted) return; // the waiter went away: nobody to answer
    ctx.res.end(`${JSON.stringify({ StatusCode: -1, Error: { Message: err instanceof Error ? err.message : String(err) } })}\n`);
  }
}

/** `POST /containers/{id}/stop?t=` → 204 once it exited (304 when not running). */
export async function postContainersStop(backend: ContainersBackend, ctx: RouteContext, { query }: Validated<StopQuery>): Promise<void> {
  await backend.stop(ctx.params.id ?? '', query.t);
  noContent(ctx);
}

/** `POST /containers/{id}/kill?signal=` → 204. */
export async function postContainersKill(backend: ContainersBackend, ctx: RouteContext, { query }: Validated<KillQuery>): Promise<void> {
  await backend.kill(ctx.params.id ?? '', query.signal);
  noContent(ctx);
}

/** `POST /containers/{id}/restart?t=` → 204. */
export async function postContainersRestart(backend: ContainersBackend, ctx: RouteContext, { query }: Validated<StopQuery>): Promise<void> {
  const id = ctx.params.id ?? '';
  await backend.exclusive(id, () => backend.restart(id, query.t));
  noContent(ctx);
}

/** `POST /containers/{id}/resize?h=&w=` → 200: the Tty's new size in rows and columns. */
export async function postContainersResize(backend: ContainersBackend, ctx: RouteContext, { query }: Validated<ResizeQuery>): Promise<void> {
  await backend.resize(ctx.params.id ?? '', { height: query.h, width: query.w });
  ctx.res.writeHead(200);
  ctx.res.end();
}

/** `DELETE /containers/{id}?force=` → 204. */
export async function deleteContainers(backend: ContainersBackend, ctx: RouteContext, { query }: Validated<RemoveQuery>): Promise<void> {
  await backend.remove(ctx.params.id ?? '', query.force, query.v);
  noContent(ctx);
}

function noContent(ctx: RouteContext): void {
  ctx.res.writeHead(204);
  ctx.res.end();
}
