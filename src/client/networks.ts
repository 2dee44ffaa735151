/**
 * Provided: the typed networks calls behind `minidocker network …` (lesson
 * 14), built on lesson 01's client, one function per endpoint (moby's
 * `client/network_*.go`):
 *
 * ```
 * networkList(client, { filters })            GET    /networks[?filters=…]        → NetworkInspect[]
 * networkInspect(client, id)                  GET    /networks/{id}               → NetworkInspect
 * networkCreate(client, request)              POST   /networks/create             → { Id, Warning }
 * networkRemove(client, id)                   DELETE /networks/{id}               (204)
 * networkConnect(client, id, request)         POST   /networks/{id}/connect       (200)
 * networkDisconnect(client, id, request)      POST   /networks/{id}/disconnect    (200)
 * networksPrune(client, { filters })          POST   /networks/prune[?filters=…]  → { NetworksDeleted }
 * ```
 * `id` may be a full id, an id prefix or a name. Each call throws what
 * EngineClient throws: NotFoundError for an unknown network or container,
 * ConflictError for a name in use or a network still in use, …
 */
import type {
  Filters,
  NetworkConnectRequest,
  NetworkCreateRequest,
  NetworkCreateResponse,
  NetworkDisconnectRequest,
  NetworkInspect,
  NetworkPruneResponse,
} from '../api/network-types.js';
import type { EngineClient } from './engine-client.js';

/** Options of `networkList` and `networksPrune`. */
export interface NetworkFilterOptions {
  /** `--filter` values by key; none sends no `filters` at all, as docker does. */
  filters?: Filters | undefined;
}

/**
 * Filters as docker's `filters.ToJSON` writes them: `{"name":{"web":true}}`,
 * one object per key with each value as a `true` member; undefined when
 * there are none, so the query leaves `filters` out.
 */
export function encodeFilters(filters: Filters | undefined): string | undefined {
  const entries = Object.entries(filters ?? {}).filter(([, values]) => values.length > 0);
  if (entries.length === 0) return undefined;
  return JSON.stringify(Object.fromEntries(entries.map(([key, values]) => [key, Object.fromEntries(values.map((v) => [v, true]))])));
}

/** `GET /networks`: every network the filters let through (`name`, `id`, `label`, `driver`, `type`, `scope`, `dangling`). */
export function networkList(client: EngineClient, options: NetworkFilterOptions = {}): Promise<NetworkInspect[]> {
  return client.json<NetworkInspect[]>('GET', '/networks', { query: { filters: encodeFilters(options.filters) } });
}

/** `GET /networks/{id}`: one network, with the containers attached to it. @throws NotFoundError for an unknown network. */
export function networkInspect(client: EngineClient, id: string): Promise<NetworkInspect> {
  return client.json<NetworkInspect>('GET', `/networks/${encodeURIComponent(id)}`);
}

/** `POST /networks/create`. @returns the new network's `Id` (and a `Warning`, usually ''). @throws ConflictError for a name in use. */
export function networkCreate(client: EngineClient, request: NetworkCreateRequest): Promise<NetworkCreateResponse> {
  return client.json<NetworkCreateResponse>('POST', '/networks/create', { body: request });
}

/** `DELETE /networks/{id}`. @throws NotFoundError for an unknown network; an EngineError (403 in docker) for bridge, host and none; ConflictError while containers use it. */
export async function networkRemove(client: EngineClient, id: string): Promise<void> {
  await client.json('DELETE', `/networks/${encodeURIComponent(id)}`);
}

/** `POST /networks/{id}/connect`: attaches a container, with its aliases on that network. */
export async function networkConnect(client: EngineClient, id: string, request: NetworkConnectRequest): Promise<void> {
  await client.json('POST', `/networks/${encodeURIComponent(id)}/connect`, { body: request });
}

/** `POST /networks/{id}/disconnect`: detaches a container (`Force` too when the daemon would refuse). */
export async function networkDisconnect(client: EngineClient, id: string, request: NetworkDisconnectRequest): Promise<void> {
  await client.json('POST', `/networks/${encodeURIComponent(id)}/disconnect`, { body: request });
}

/** `POST /networks/prune`: removes every user-defined network no container uses. @returns the names removed. */
export function networksPrune(client: EngineClient, options: NetworkFilterOptions = {}): Promise<NetworkPruneResponse> {
  return client.json<NetworkPruneResponse>('POST', '/networks/prune', { query: { filters: encodeFilters(options.filters) } });
}
