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
import { NotImplementedError } from '../../errors.js';
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
  // TODO(lesson-12): Read the JSON body and answer 201 with service.create(body, ?name=).
  throw new NotImplementedError('lesson-12: createContainer');
}

/** `GET /containers/json?all=&limit=&filters=` → 200 with the summaries. */
export async function listContainers(service: ContainerService, ctx: RouteContext): Promise<void> {
  // TODO(lesson-12): Answer 200 with service.list from ?all=, ?limit= and ?filters= (parseFilters).
  throw new NotImplementedError('lesson-12: listContainers');
}

/** `GET /containers/{id}/json` → 200 with the inspect document. */
export async function inspectContainer(service: ContainerService, ctx: RouteContext): Promise<void> {
  // TODO(lesson-12): Answer 200 with service.inspect(id).
  throw new NotImplementedError('lesson-12: inspectContainer');
}

/** `POST /containers/{id}/start` → 204 (304 when it runs already). */
export async function startContainer(service: ContainerService, ctx: RouteContext): Promise<void> {
  // TODO(lesson-12): Read (and ignore) the body, start the container and answer 204.
  throw new NotImplementedError('lesson-12: startContainer');
}

/**
 * `POST /containers/{id}/wait?condition=` → 200 with the headers flushed at
 * once (the docker CLI starts the container only after it got them), then
 * `{"Error":null,"StatusCode":N}` when the condition is met.
 */
export async function waitContainer(service: ContainerService, ctx: RouteContext): Promise<void> {
  // TODO(lesson-12): Send 200 with the headers flushed at once, then the wait result as one JSON line.
  // HINT: resolve the container and check ?condition= (default next-exit) BEFORE the headers: those errors are plain 404/400.
  // HINT: register service.wait(…, abortController.signal) before writeHead(200) + flushHeaders(); abort it on res "close".
  throw new NotImplementedError('lesson-12: waitContainer');
}

/** `POST /containers/{id}/stop?t=` → 204 once it exited (304 when not running). */
export async function stop(service: ContainerService, ctx: RouteContext): Promise<void> {
  // TODO(lesson-12): Stop the container with ?t= (timeoutParam) and answer 204.
  throw new NotImplementedError('lesson-12: stop');
}

/** `POST /containers/{id}/kill?signal=` → 204. */
export async function kill(service: ContainerService, ctx: RouteContext): Promise<void> {
  // TODO(lesson-12): Send ?signal= to the container and answer 204.
  throw new NotImplementedError('lesson-12: kill');
}

/** `POST /containers/{id}/restart?t=` → 204. */
export async function restart(service: ContainerService, ctx: RouteContext): Promise<void> {
  // TODO(lesson-12): Restart the container with ?t= and answer 204.
  throw new NotImplementedError('lesson-12: restart');
}

/** `POST /containers/{id}/resize?h=&w=` → 200: the Tty's new size in rows and columns. */
export async function resizeContainer(service: ContainerService, ctx: RouteContext): Promise<void> {
  // TODO(lesson-12): Resize the container's terminal to ?h= rows and ?w= columns (dimensionParam), answer 200 with no body.
  throw new NotImplementedError('lesson-12: resizeContainer');
}

/** `DELETE /containers/{id}?force=` → 204. */
export async function removeContainer(service: ContainerService, ctx: RouteContext): Promise<void> {
  // TODO(lesson-12): Remove the container (?force=) and answer 204.
  throw new NotImplementedError('lesson-12: removeContainer');
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
