/**
 * Provided: lesson 13's process routes — HTTP in, a {@link ProcessesBackend}
 * call (containers/container-processes.ts), HTTP out — and the wire protocol
 * of stats, which is dockerd's (`daemon/stats.go`):
 *
 * ```
 * POST /containers/{id}/pause                  204; 409 not running or already paused; 500 without a cgroup (rootless)
 * POST /containers/{id}/unpause                204; 409 not paused
 * GET  /containers/{id}/top?ps_args=           200 {Titles, Processes}; 409 not running; 500 ps: … / no PID column
 * GET  /containers/{id}/stats?stream=&one-shot=
 *      stream (default)       200, headers at once, one JSON sample per second, each + "\n",
 *                             until the client goes away or the container is removed
 *                             (after an exit the samples are zeros, as docker's are)
 *      stream=0               one sample taken a second after a first one, so precpu_stats is filled
 *      stream=0&one-shot=1    one sample at once (precpu_stats zeros)
 *      stream=1&one-shot=1    400 cannot have stream=true and one-shot=true
 * ```
 * `{id}` is a full id, a name or a unique id prefix. Every handler first
 * waits for the containers' records to be loaded.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerStatsResponse } from '../../api/processes.js';
import { InvalidParameterError, NotFoundError } from '../../errdefs.js';
import type { ProcessesBackend } from '../backends.js';
import { sendJson } from '../server/http.js';
import type { RouteContext, RouteHandler } from '../server/router.js';
import type { RouteRegistrar } from '../server/route-registrar.js';
import { validated } from '../server/validate.js';
import type { RequestSchemas, Validated } from '../server/validate.js';
import { ZERO_READ } from '../system/cgroup-stats.js';
import { statsQuery, topQuery } from './process-requests.js';
import type { StatsQuery, TopQuery } from './process-requests.js';

/** How often a stats stream samples, as dockerd's stats collector (1 s). */
export const STATS_INTERVAL_MS = 1000;

/** What the process routes are given by the composition root. */
export interface ProcessRoutesOptions {
  backend: ProcessesBackend;
  /** Settles once the containers' records are loaded; a failure is every request's answer. */
  ready: Promise<void>;
}

/** A process route handler: the backend, the request, and its checked query. */
export type ProcessesHandler<Q> = (backend: ProcessesBackend, ctx: RouteContext, input: Validated<Q>) => Promise<void>;

/** Registers pause, unpause, top and stats on the given backend. */
export function registerProcessRoutes(options: ProcessRoutesOptions): RouteRegistrar {
  const { backend, ready } = options;
  const route = <Q>(schemas: RequestSchemas<Q, undefined>, handler: ProcessesHandler<Q>): RouteHandler => {
    const checked = validated(schemas, (ctx, input) => handler(backend, ctx, input));
    return async (ctx) => {
      await ready;
      await checked(ctx);
    };
  };
  return (router) => {
    router.add('POST', '/containers/{id}/pause', route({}, postContainersPause));
    router.add('POST', '/containers/{id}/unpause', route({}, postContainersUnpause));
    router.add('GET', '/containers/{id}/top', route({ query: topQuery }, getContainersTop));
    router.add('GET', '/containers/{id}/stats', route({ query: statsQuery }, getContainersStats));
  };
}

/** `POST /containers/{id}/pause` → 204. */
export async function postContainersPause(backend: ProcessesBackend, ctx: RouteContext): Promise<void> {
  await backend.pause(ctx.params.id ?? '');
  ctx.res.writeHead(204);
  ctx.res.end();
}

/** `POST /containers/{id}/unpause` → 204. */
export async function postContainersUnpause(backend: ProcessesBackend, ctx: RouteContext): Promise<void> {
  await backend.unpause(ctx.params.id ?? '');
  ctx.res.writeHead(204);
  ctx.res.end();
}

/** `GET /containers/{id}/top?ps_args=` → 200 `{Titles, Processes}` (`-ef` without ps_args). */
export async function getContainersTop(backend: ProcessesBackend, ctx: RouteContext, { query }: Validated<TopQuery>): Promise<void> {
  sendJson(ctx.res, 200, await backend.top(ctx.params.id ?? '', query.ps_args === '' ? undefined : query.ps_args));
}

/**
 * `GET /containers/{id}/stats?stream=&one-shot=`: see the top of this file.
 * The first sample is taken before the headers go out, so an unknown
 * container is still a 404.
 */
export async function getContainersStats(backend: ProcessesBackend, ctx: RouteContext, { query }: Validated<StatsQuery>): Promise<void> {
  let sample = await backend.stats(ctx.params.id ?? '');
  const oneShot = query['one-shot'];
  if (query.stream && oneShot) throw new InvalidParameterError('cannot have stream=true and one-shot=true');
  const id = sample.id ?? ctx.params.id ?? '';
  if (!query.stream) {
    // A container that does not run answers its zeros at once; else a second sample gets the first as precpu.
    if (!oneShot && sample.read !== ZERO_READ) {
      await sleep(STATS_INTERVAL_MS);
      sample = await backend.stats(id, sample);
    }
    sendJson(ctx.res, 200, sample);
    return;
  }
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  ctx.res.flushHeaders();
  const gone = new AbortController();
  ctx.res.once('close', () => gone.abort());
  for (;;) {
    if (gone.signal.aborted) return;
    ctx.res.write(`${JSON.stringify(sample)}\n`);
    const next = await nextSample(backend, id, sample, gone.signal);
    if (next === undefined) break;
    sample = next;
  }
  ctx.res.end();
}

// The sample a second later; undefined when the client went away or the container was removed.
async function nextSample(backend: ProcessesBackend, id: string, previous: ContainerStatsResponse, signal: AbortSignal): Promise<ContainerStatsResponse | undefined> {
  try {
    await sleep(STATS_INTERVAL_MS, undefined, { signal });
    return await backend.stats(id, previous);
  } catch (err) {
    if (signal.aborted || err instanceof NotFoundError) return undefined;
    throw err;
  }
}
