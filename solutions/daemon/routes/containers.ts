/**
 * The containers API: the HTTP side of {@link ContainerService}.
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
import { InvalidParameterError } from '../../errdefs.js';
import type { SystemInfo } from '../../api/types.js';
import type { CreateBody } from '../containers/container-create.js';
import { ContainerService } from '../containers/container-service.js';
import type { WaitCondition } from '../containers/container-service.js';
import { killContainer, restartContainer, stopContainer } from '../containers/container-signals.js';
import { attachContainer, boolParam, streamLogs } from './logs-and-attach.js';
import { parseFilters } from '../containers/container-views.js';
import { readJson, sendJson } from '../server/http.js';
import { ImageService } from '../images/image-service.js';
import type { RouteContext } from '../server/router.js';
import type { RouteRegistrar } from '../server/server.js';

/** Options of {@link registerContainerRoutes}. */
export interface ContainerRoutesOptions {
  /** The daemon's one ImageService (shared with the images routes); made on the data root if missing. */
  images?: ImageService;
  /** `--runtime`: `runc` (default), `crun` or a path. */
  runtime?: string;
}

type Handler = (service: ContainerService, ctx: RouteContext) => Promise<void>;

/** Registers the containers routes; the records are loaded in the background as the daemon starts. */
export function registerContainerRoutes(options: ContainerRoutesOptions = {}): RouteRegistrar {
  return (router, daemon) => {
    const images = options.images ?? new ImageService({ dataRoot: daemon.dataRoot });
    const service = new ContainerService({ dataRoot: daemon.dataRoot, images, runtime: options.runtime });
    const ready = service.restore();
    ready.catch(() => undefined); // reported by every request instead
    const route = (handler: Handler) => async (ctx: RouteContext) => {
      await ready;
      await handler(service, ctx);
    };
    router.add('POST', '/containers/create', route(createContainer));
    router.add('GET', '/containers/json', route(listContainers));
    router.add('GET', '/containers/{id}/json', route(inspectContainer));
    router.add('POST', '/containers/{id}/start', route(startContainer));
    router.add('POST', '/containers/{id}/wait', route(waitContainer));
    router.add('GET', '/containers/{id}/logs', route(streamLogs));
    router.add('POST', '/containers/{id}/attach', route(attachContainer));
    router.add('POST', '/containers/{id}/stop', route(stop));
    router.add('POST', '/containers/{id}/kill', route(kill));
    router.add('POST', '/containers/{id}/restart', route(restart));
    router.add('POST', '/containers/{id}/resize', route(resizeContainer));
    router.add('DELETE', '/containers/{id}', route(removeContainer));
    daemon.infoSources.push(() => containerInfo(service, ready, options.runtime ?? 'runc'));
  };
}

/**
 * The `/info` fields the containers routes own: the containers counted by
 * state (nothing is ever paused here), and the runtime, named like its binary.
 * Without the counts when the records cannot be listed: like dockerd, `/info` still answers.
 */
export async function containerInfo(service: ContainerService, ready: Promise<void>, runtime: string): Promise<SystemInfo> {
  const name = path.basename(runtime);
  const runtimes: SystemInfo = { DefaultRuntime: name, Runtimes: { [name]: { path: runtime } } };
  try {
    await ready;
    const all = service.list({ all: true });
    const running = all.filter((summary) => summary.State === 'running').length;
    return { ...runtimes, Containers: all.length, ContainersRunning: running, ContainersPaused: 0, ContainersStopped: all.length - running };
  } catch {
    return runtimes;
  }
}

/** `POST /containers/create[?name=]` → 201 `{Id, Warnings}`. */
export async function createContainer(service: ContainerService, ctx: RouteContext): Promise<void> {
  const body = await readJson<CreateBody>(ctx.req);
  sendJson(ctx.res, 201, await service.create(body, ctx.query.get('name') ?? undefined));
}

/** `GET /containers/json?all=&limit=&filters=` → 200 with the summaries. */
export async function listContainers(service: ContainerService, ctx: RouteContext): Promise<void> {
  const limit = Number(ctx.query.get('limit') ?? '0');
  const filters = parseFilters(ctx.query.get('filters'));
  sendJson(ctx.res, 200, service.list({ all: boolParam(ctx.query, 'all'), limit: Number.isFinite(limit) ? limit : 0, filters }));
}

/** `GET /containers/{id}/json` → 200 with the inspect document. */
export async function inspectContainer(service: ContainerService, ctx: RouteContext): Promise<void> {
  sendJson(ctx.res, 200, service.inspect(ctx.params.id ?? ''));
}

/** `POST /containers/{id}/start` → 204 (304 when it runs already). */
export async function startContainer(service: ContainerService, ctx: RouteContext): Promise<void> {
  await readJson(ctx.req); // old clients send a HostConfig here: ignored
  await service.start(ctx.params.id ?? '');
  noContent(ctx);
}

/**
 * `POST /containers/{id}/wait?condition=` → 200 with the headers flushed at
 * once (the docker CLI starts the container only after it got them), then
 * `{"Error":null,"StatusCode":N}` when the condition is met.
 */
export async function waitContainer(service: ContainerService, ctx: RouteContext): Promise<void> {
  const record = service.resolve(ctx.params.id ?? '');
  const condition = ctx.query.get('condition') || 'next-exit';
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) {
    throw new InvalidParameterError(`invalid condition: "${condition}"`);
  }
  const gone = new AbortController();
  const result = service.wait(record.Id, condition as WaitCondition, gone.signal);
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
export async function stop(service: ContainerService, ctx: RouteContext): Promise<void> {
  await stopContainer(service, ctx.params.id ?? '', timeoutParam(ctx));
  noContent(ctx);
}

/** `POST /containers/{id}/kill?signal=` → 204. */
export async function kill(service: ContainerService, ctx: RouteContext): Promise<void> {
  await killContainer(service, ctx.params.id ?? '', ctx.query.get('signal'));
  noContent(ctx);
}

/** `POST /containers/{id}/restart?t=` → 204. */
export async function restart(service: ContainerService, ctx: RouteContext): Promise<void> {
  await restartContainer(service, ctx.params.id ?? '', timeoutParam(ctx));
  noContent(ctx);
}

/** `POST /containers/{id}/resize?h=&w=` → 200: the Tty's new size in rows and columns. */
export async function resizeContainer(service: ContainerService, ctx: RouteContext): Promise<void> {
  const size = { height: dimensionParam(ctx, 'h'), width: dimensionParam(ctx, 'w') };
  await service.resize(ctx.params.id ?? '', size);
  ctx.res.writeHead(200);
  ctx.res.end();
}

/** `DELETE /containers/{id}?force=` → 204. */
export async function removeContainer(service: ContainerService, ctx: RouteContext): Promise<void> {
  await service.remove(ctx.params.id ?? '', boolParam(ctx.query, 'force'));
  noContent(ctx);
}

// `?t=` seconds; absent: docker's 10; -1: wait forever.
function timeoutParam(ctx: RouteContext): number {
  const t = ctx.query.get('t');
  if (t === null || t === '') return 10;
  if (!/^-?\d+$/.test(t)) throw new InvalidParameterError(`invalid value for "t": ${t}`);
  return Number(t);
}

// `?h=` or `?w=`: a terminal dimension, a whole number of characters.
function dimensionParam(ctx: RouteContext, name: 'h' | 'w'): number {
  const value = ctx.query.get(name) ?? '';
  if (!/^\d{1,5}$/.test(value) || Number(value) > 0xffff) throw new InvalidParameterError(`invalid value for "${name}": ${JSON.stringify(value)}`);
  return Number(value);
}

function noContent(ctx: RouteContext): void {
  ctx.res.writeHead(204);
  ctx.res.end();
}
