/**
 * Provided: the networks API — HTTP in, a {@link NetworksBackend} call
 * (network/network-service.ts), HTTP out, as dockerd answers.
 *
 * ```
 * GET    /networks?filters=          200 [Network] (Containers {} in the list, as docker's)
 * GET    /networks/{id}              200 Network with its running Containers; 404 network x not found
 * POST   /networks/create            201 {Id, Warning}; 409 name taken; 400 refused option; 404 plugin "x" not found
 * POST   /networks/{id}/connect      200; 404; 400; 409 connected already, or running
 * POST   /networks/{id}/disconnect   200; 404; 409 not connected, or running
 * DELETE /networks/{id}              204; 404; 409 pre-defined, or a running container on it
 * POST   /networks/prune?filters=    200 {NetworksDeleted: [names]}
 * ```
 * `{id}` is a full id, a name or a unique id prefix. Every handler first
 * waits for the records to be loaded.
 */
import { InvalidParameterError } from '../../errdefs.js';
import type { NetworksBackend } from '../backends.js';
import { parseNetworkFilters } from '../network/network-views.js';
import { sendJson } from '../server/http.js';
import type { RouteContext, RouteHandler } from '../server/router.js';
import type { RouteRegistrar } from '../server/route-registrar.js';
import { validated } from '../server/validate.js';
import type { RequestSchemas, Validated } from '../server/validate.js';
import { networkConnectBody, networkCreateBody, networkDisconnectBody, networkFiltersQuery, networkInspectQuery } from './network-requests.js';
import type { NetworkConnectBody, NetworkCreateBody, NetworkDisconnectBody, NetworkFiltersQuery, NetworkInspectQuery } from './network-requests.js';

/** What the network routes are given by the composition root. */
export interface NetworkRoutesOptions {
  backend: NetworksBackend;
  /** Settles once the network and container records are loaded; a failure is every request's answer. */
  ready: Promise<void>;
}

/** A network handler: the backend, the request, and its checked query and body. */
export type NetworkHandler<Q, B = undefined> = (backend: NetworksBackend, ctx: RouteContext, input: Validated<Q, B>) => Promise<void>;

/** Registers the networks API on the given backend. */
export function registerNetworkRoutes(options: NetworkRoutesOptions): RouteRegistrar {
  const { backend, ready } = options;
  const route = <Q, B>(schemas: RequestSchemas<Q, B>, handler: NetworkHandler<Q, B>): RouteHandler => {
    const checked = validated(schemas, (ctx, input) => handler(backend, ctx, input));
    return async (ctx) => {
      await ready;
      await checked(ctx);
    };
  };
  return (router) => {
    router.add('GET', '/networks', route({ query: networkFiltersQuery }, getNetworks));
    router.add('POST', '/networks/create', route({ body: networkCreateBody }, postNetworksCreate));
    router.add('POST', '/networks/prune', route({ query: networkFiltersQuery }, postNetworksPrune));
    router.add('GET', '/networks/{id}', route({ query: networkInspectQuery }, getNetworkByID));
    router.add('POST', '/networks/{id}/connect', route({ body: networkConnectBody }, postNetworkConnect));
    router.add('POST', '/networks/{id}/disconnect', route({ body: networkDisconnectBody }, postNetworkDisconnect));
    router.add('DELETE', '/networks/{id}', route({}, deleteNetwork));
  };
}

/** `GET /networks?filters=` → 200 `[Network]`. */
export async function getNetworks(backend: NetworksBackend, ctx: RouteContext, { query }: Validated<NetworkFiltersQuery>): Promise<void> {
  sendJson(ctx.res, 200, backend.list(parseNetworkFilters(query.filters)));
}

/** `GET /networks/{id}` → 200 Network. */
export async function getNetworkByID(backend: NetworksBackend, ctx: RouteContext, { query }: Validated<NetworkInspectQuery>): Promise<void> {
  if (query.scope !== undefined && query.scope !== 'local') throw new InvalidParameterError(`network ${ctx.params.id ?? ''} not found in scope ${query.scope}`);
  sendJson(ctx.res, 200, backend.inspect(ctx.params.id ?? ''));
}

/** `POST /networks/create` → 201 `{Id, Warning}`. */
export async function postNetworksCreate(backend: NetworksBackend, ctx: RouteContext, { body }: Validated<unknown, NetworkCreateBody>): Promise<void> {
  sendJson(ctx.res, 201, await backend.create(body));
}

/** `POST /networks/{id}/connect` → 200. */
export async function postNetworkConnect(backend: NetworksBackend, ctx: RouteContext, { body }: Validated<unknown, NetworkConnectBody>): Promise<void> {
  await backend.connect(ctx.params.id ?? '', body);
  ctx.res.writeHead(200);
  ctx.res.end();
}

/** `POST /networks/{id}/disconnect` → 200. */
export async function postNetworkDisconnect(backend: NetworksBackend, ctx: RouteContext, { body }: Validated<unknown, NetworkDisconnectBody>): Promise<void> {
  await backend.disconnect(ctx.params.id ?? '', body);
  ctx.res.writeHead(200);
  ctx.res.end();
}

/** `DELETE /networks/{id}` → 204. */
export async function deleteNetwork(backend: NetworksBackend, ctx: RouteContext): Promise<void> {
  await backend.remove(ctx.params.id ?? '');
  ctx.res.writeHead(204);
  ctx.res.end();
}

/** `POST /networks/prune?filters=` → 200 `{NetworksDeleted}` (label filters; `until` is refused). */
export async function postNetworksPrune(backend: NetworksBackend, ctx: RouteContext, { query }: Validated<NetworkFiltersQuery>): Promise<void> {
  const filters = parseNetworkFilters(query.filters, ['label', 'until']);
  if (filters.until !== undefined) throw new InvalidParameterError('the until filter (networks prune --filter until=) is not supported by minidockerd');
  sendJson(ctx.res, 200, { NetworksDeleted: await backend.prune(filters) });
}
