/**
 * Provided: the typed calls behind `minidocker top`, `pause`, `unpause` and
 * `stats` (lesson 13), built on lesson 01's client, as moby's
 * `client/container_top.go`, `container_pause.go`, `container_unpause.go`
 * and `container_stats.go`:
 *
 * ```
 * containerTop(client, id, ['-o','pid,comm'])  GET  /containers/{id}/top[?ps_args=-o pid,comm]  → {Titles, Processes}
 * containerPause(client, id)                   POST /containers/{id}/pause                      (204)
 * containerUnpause(client, id)                 POST /containers/{id}/unpause                    (204)
 * containerStats(client, id)                   GET  /containers/{id}/stats?stream=0             → one sample (precpu filled)
 * containerStatsOneShot(client, id)            GET  /containers/{id}/stats?stream=0&one-shot=1  → one sample at once
 * containerStatsStream(client, id, {signal})   GET  /containers/{id}/stats?stream=1             → a sample a second
 * ```
 * `id` may be a full id, an id prefix or a name. Each call throws what
 * EngineClient throws: NotFoundError for an unknown container, ConflictError
 * for one that is not running (top, pause) or not paused (unpause), …
 */
import type { ContainerStatsResponse, ContainerTopResponse } from '../api/processes.js';
import type { EngineClient } from './engine-client.js';

/** `GET /containers/{id}/top`: the container's processes as `ps <args>` (default `-ef`) on the daemon's host shows them. */
export async function containerTop(client: EngineClient, id: string, args: string[] = []): Promise<ContainerTopResponse> {
  const query = { ps_args: args.length > 0 ? args.join(' ') : undefined };
  return client.json<ContainerTopResponse>('GET', `/containers/${id}/top`, { query });
}

/** `POST /containers/{id}/pause`: freezes every process of the container. @throws ConflictError when it is not running. */
export async function containerPause(client: EngineClient, id: string): Promise<void> {
  await client.json('POST', `/containers/${id}/pause`);
}

/** `POST /containers/{id}/unpause`. @throws ConflictError when it is not paused. */
export async function containerUnpause(client: EngineClient, id: string): Promise<void> {
  await client.json('POST', `/containers/${id}/unpause`);
}

/**
 * `GET /containers/{id}/stats?stream=0`: one sample, which the daemon takes
 * a second after a first one, so `precpu_stats` is filled (what `docker stats --no-stream` asks).
 */
export function containerStats(client: EngineClient, id: string): Promise<ContainerStatsResponse> {
  return client.json<ContainerStatsResponse>('GET', `/containers/${id}/stats`, { query: { stream: false } });
}

/** `GET /containers/{id}/stats?stream=0&one-shot=1`: one sample at once (`precpu_stats` zeros). */
export function containerStatsOneShot(client: EngineClient, id: string): Promise<ContainerStatsResponse> {
  return client.json<ContainerStatsResponse>('GET', `/containers/${id}/stats`, { query: { stream: false, 'one-shot': true } });
}

/**
 * `GET /containers/{id}/stats?stream=1`: a sample a second, each with the
 * one before as `precpu_stats`, until `signal` aborts or the container is removed.
 */
export function containerStatsStream(client: EngineClient, id: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<ContainerStatsResponse> {
  return client.jsonLines<ContainerStatsResponse>('GET', `/containers/${id}/stats`, { query: { stream: true }, signal: options.signal });
}
