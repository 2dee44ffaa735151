/**
 * Provided: the declared types of the volumes API's requests, checked by
 * `validated` (server/validate.ts) before a handler runs, with Go's types.
 *
 * ```
 * GET    /volumes?filters=          filters: JSON, read by parseVolumeFilters (volume-views.ts)
 * POST   /volumes/create            body: VolumeCreateBody {Name, Driver, DriverOpts, Labels}
 * GET    /volumes/{name}
 * DELETE /volumes/{name}?force=
 * POST   /volumes/prune?filters=
 * ```
 */
import * as v from 'valibot';
import { optional, qBool, qString, str, stringMap, struct } from '../server/validate.js';

/** `POST /volumes/create`: docker's `volume.CreateOptions` (ClusterVolumeSpec is swarm's, refused when set). */
export const volumeCreateBody = struct({ Name: str, Driver: str, DriverOpts: stringMap, Labels: stringMap, ClusterVolumeSpec: optional(v.record(v.string(), v.unknown())) });

/** The typed create body. */
export type VolumeCreateBody = v.InferOutput<typeof volumeCreateBody>;

/** `GET /volumes?filters=` and `POST /volumes/prune?filters=`. */
export const volumeFiltersQuery = v.looseObject({ filters: qString });

/** The typed filters query. */
export type VolumeFiltersQuery = v.InferOutput<typeof volumeFiltersQuery>;

/** `DELETE /volumes/{name}?force=`. */
export const volumeRemoveQuery = v.looseObject({ force: qBool });

/** The typed remove query. */
export type VolumeRemoveQuery = v.InferOutput<typeof volumeRemoveQuery>;
