/**
 * Provided: the volumes API — HTTP in, a {@link VolumesBackend} call
 * (volumes/volume-service.ts), HTTP out, as dockerd answers.
 *
 * ```
 * GET    /volumes?filters=        200 {Volumes: [Volume], Warnings: null}
 * POST   /volumes/create          201 Volume (the existing one for a name taken); 400 bad name or option; 404 plugin
 * GET    /volumes/{name}          200 Volume; 404 get x: no such volume
 * DELETE /volumes/{name}?force=   204; 404 (not with force); 409 volume is in use - [ids]
 * POST   /volumes/prune?filters=  200 {VolumesDeleted, SpaceReclaimed}
 * ```
 * Every handler first waits for the records to be loaded.
 */
import { InvalidParameterError } from '../../errdefs.js';
import type { VolumesBackend } from '../backends.js';
import { parseVolumeFilters } from '../volumes/volume-views.js';
import { sendJson } from '../server/http.js';
import type { RouteContext, RouteHandler } from '../server/router.js';
import type { RouteRegistrar } from '../server/route-registrar.js';
import { validated } from '../server/validate.js';
import type { RequestSchemas, Validated } from '../server/validate.js';
import { volumeCreateBody, volumeFiltersQuery, volumeRemoveQuery } from './volume-requests.js';
import type { VolumeCreateBody, VolumeFiltersQuery, VolumeRemoveQuery } from './volume-requests.js';

/** What the volume routes are given by the composition root. */
export interface VolumeRoutesOptions {
  backend: VolumesBackend;
  /** Settles once the volume and container records are loaded; a failure is every request's answer. */
  ready: Promise<void>;
}

/** A volume handler: the backend, the request, and its checked query and body. */
export type VolumeHandler<Q, B = undefined> = (backend: VolumesBackend, ctx: RouteContext, input: Validated<Q, B>) => Promise<void>;

/** Registers the volumes API on the given backend. */
export function registerVolumeRoutes(options: VolumeRoutesOptions): RouteRegistrar {
  const { backend, ready } = options;
  const route = <Q, B>(schemas: RequestSchemas<Q, B>, handler: VolumeHandler<Q, B>): RouteHandler => {
    const checked = validated(schemas, (ctx, input) => handler(backend, ctx, input));
    return async (ctx) => {
      await ready;
      await checked(ctx);
    };
  };
  return (router) => {
    router.add('GET', '/volumes', route({ query: volumeFiltersQuery }, getVolumes));
    router.add('POST', '/volumes/create', route({ body: volumeCreateBody }, postVolumesCreate));
    router.add('POST', '/volumes/prune', route({ query: volumeFiltersQuery }, postVolumesPrune));
    router.add('GET', '/volumes/{name}', route({}, getVolumeByName));
    router.add('DELETE', '/volumes/{name}', route({ query: volumeRemoveQuery }, deleteVolume));
  };
}

/** `GET /volumes?filters=` → 200 `{Volumes, Warnings}`. */
export async function getVolumes(backend: VolumesBackend, ctx: RouteContext, { query }: Validated<VolumeFiltersQuery>): Promise<void> {
  sendJson(ctx.res, 200, backend.list(parseVolumeFilters(query.filters, ['dangling', 'driver', 'label', 'name'])));
}

/** `POST /volumes/create` → 201 Volume. */
export async function postVolumesCreate(backend: VolumesBackend, ctx: RouteContext, { body }: Validated<unknown, VolumeCreateBody>): Promise<void> {
  if (body.ClusterVolumeSpec !== undefined) throw new InvalidParameterError('cluster volumes (ClusterVolumeSpec) are not supported by minidockerd: there is no swarm');
  sendJson(ctx.res, 201, await backend.create(body));
}

/** `GET /volumes/{name}` → 200 Volume. */
export async function getVolumeByName(backend: VolumesBackend, ctx: RouteContext): Promise<void> {
  sendJson(ctx.res, 200, backend.inspect(ctx.params.name ?? ''));
}

/** `DELETE /volumes/{name}?force=` → 204. */
export async function deleteVolume(backend: VolumesBackend, ctx: RouteContext, { query }: Validated<VolumeRemoveQuery>): Promise<void> {
  await backend.remove(ctx.params.name ?? '', query.force);
  ctx.res.writeHead(204);
  ctx.res.end();
}

/** `POST /volumes/prune?filters=` → 200 `{VolumesDeleted, SpaceReclaimed}` (label, label!, all; `until` is refused). */
export async function postVolumesPrune(backend: VolumesBackend, ctx: RouteContext, { query }: Validated<VolumeFiltersQuery>): Promise<void> {
  sendJson(ctx.res, 200, await backend.prune(parseVolumeFilters(query.filters, ['label', 'label!', 'all'])));
}
