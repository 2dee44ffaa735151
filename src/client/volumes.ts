/**
 * Provided: the typed volumes calls behind `minidocker volume …` (lesson 15),
 * built on lesson 01's client, one function per endpoint (moby's
 * `client/volume_*.go`):
 *
 * ```
 * volumeList(client, { filters })        GET    /volumes[?filters=…]        → { Volumes, Warnings }
 * volumeCreate(client, request)          POST   /volumes/create             → Volume
 * volumeInspect(client, name)            GET    /volumes/{name}             → Volume
 * volumeRemove(client, name, { force })  DELETE /volumes/{name}[?force=1]   (204)
 * volumesPrune(client, { filters })      POST   /volumes/prune[?filters=…]  → { VolumesDeleted, SpaceReclaimed }
 * ```
 * Each call throws what EngineClient throws: NotFoundError for an unknown
 * volume, ConflictError for a volume a container uses, …
 */
import type { Filters } from '../api/network-types.js';
import type { Volume, VolumeCreateRequest, VolumeListResponse, VolumePruneResponse } from '../api/volume-types.js';
import type { EngineClient } from './engine-client.js';
import { encodeFilters } from './networks.js';

/** Options of `volumeList` and `volumesPrune`. */
export interface VolumeFilterOptions {
  /**
   * `--filter` values by key, sent as docker's filters JSON; none sends no
   * `filters` at all. List: `dangling`, `driver`, `label`, `name`; prune:
   * `label`, `label!` and `all` (`all=true` prunes named volumes too: docker 23
   * and later prune only anonymous ones without it).
   */
  filters?: Filters | undefined;
}

/** Options of `volumeRemove`. */
export interface VolumeRemoveOptions {
  /** `?force=1`: the daemon does not fail for a volume that does not exist. */
  force?: boolean;
}

/** `GET /volumes`: the volumes the filters let through. */
export function volumeList(client: EngineClient, options: VolumeFilterOptions = {}): Promise<VolumeListResponse> {
  return client.json<VolumeListResponse>('GET', '/volumes', { query: { filters: encodeFilters(options.filters) } });
}

/**
 * `POST /volumes/create`. A name that exists already gives back that volume,
 * as docker does, as long as the driver is the same.
 * @returns the volume, with the name the daemon chose when none was given.
 */
export function volumeCreate(client: EngineClient, request: VolumeCreateRequest): Promise<Volume> {
  return client.json<Volume>('POST', '/volumes/create', { body: request });
}

/** `GET /volumes/{name}`. @throws NotFoundError `get <name>: no such volume`. */
export function volumeInspect(client: EngineClient, name: string): Promise<Volume> {
  return client.json<Volume>('GET', `/volumes/${encodeURIComponent(name)}`);
}

/** `DELETE /volumes/{name}` (`?force=1` only when forced, as docker sends it). @throws NotFoundError; ConflictError while a container uses it. */
export async function volumeRemove(client: EngineClient, name: string, options: VolumeRemoveOptions = {}): Promise<void> {
  await client.json('DELETE', `/volumes/${encodeURIComponent(name)}`, { query: { force: options.force ? true : undefined } });
}

/** `POST /volumes/prune`: removes the volumes no container uses (see {@link VolumeFilterOptions} for which). */
export function volumesPrune(client: EngineClient, options: VolumeFilterOptions = {}): Promise<VolumePruneResponse> {
  return client.json<VolumePruneResponse>('POST', '/volumes/prune', { query: { filters: encodeFilters(options.filters) } });
}
