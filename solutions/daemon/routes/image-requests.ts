/**
 * Provided: the declared types of the images API's query parameters, checked
 * by `validated` (server/validate.ts) before a handler runs.
 *
 * ```
 * POST   /images/create?fromImage=&tag=   (the tag may be a digest: sha256:…)
 * POST   /images/{name}/tag?repo=&tag=
 * POST   /images/{name}/push?tag=
 * DELETE /images/{name}?force=
 * ```
 */
import * as v from 'valibot';
import { qBool, qString } from '../server/validate.js';

/** `POST /images/create?fromImage=&tag=`. */
export const pullQuery = v.looseObject({ fromImage: qString, tag: qString });

/** The typed pull query. */
export type PullQuery = v.InferOutput<typeof pullQuery>;

/** `POST /images/{name}/tag?repo=&tag=`. */
export const tagQuery = v.looseObject({ repo: qString, tag: qString });

/** The typed tag query. */
export type TagQuery = v.InferOutput<typeof tagQuery>;

/** `POST /images/{name}/push?tag=`. */
export const pushQuery = v.looseObject({ tag: qString });

/** The typed push query. */
export type PushQuery = v.InferOutput<typeof pushQuery>;

/** `DELETE /images/{name}?force=`. */
export const removeImageQuery = v.looseObject({ force: qBool });

/** The typed remove query. */
export type RemoveImageQuery = v.InferOutput<typeof removeImageQuery>;
