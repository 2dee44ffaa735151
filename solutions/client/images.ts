/**
 * Provided: the typed image calls lesson 02's (and lesson 09's) verbs make, built on lesson 01's client.
 *
 * The image endpoints, one typed function each (moby's `client/image_*.go`):
 *
 * ```
 * imagePull(client, { fromImage, tag })     POST   /images/create?fromImage=…&tag=…  → JSON progress lines
 * imageList(client)                         GET    /images/json                      → ImageSummary[]
 * imageInspect(client, name)                GET    /images/{name}/json               → ImageInspect
 * imageTag(client, source, { repo, tag })   POST   /images/{source}/tag?repo=…&tag=… (201)
 * imagePush(client, name, { tag })          POST   /images/{name}/push?tag=…          → JSON progress lines
 * imageRemove(client, name, { force })      DELETE /images/{name}[?force=1]          → ImageDeleteResponseItem[]
 * ```
 * Image names go into the path as they are, `/` and `:` included
 * (`/images/127.0.0.1:5000/x/json`). A flag that is false or missing is left
 * out of the query, as docker leaves it out.
 */
import type { ImageDeleteResponseItem, ImageInspect, ImageSummary, JSONMessage } from '../api/types.js';
import type { EngineClient } from './engine-client.js';

/**
 * The `X-Registry-Auth` a client that is not logged in sends: base64 of `{}`,
 * as the docker CLI sends it.
 */
export const NO_REGISTRY_AUTH = 'e30=';

/** What to pull. */
export interface ImagePullOptions {
  /** The fully qualified repository: `docker.io/library/busybox`, `127.0.0.1:5000/x`. */
  fromImage: string;
  /** A tag (`latest`) or a digest (`sha256:…`). */
  tag?: string | undefined;
  /** The `X-Registry-Auth` header; {@link NO_REGISTRY_AUTH} by default. */
  registryAuth?: string;
}

/** Options of `imagePush`. */
export interface ImagePushOptions {
  /** The tag to push; all tags of the repository when undefined. */
  tag?: string | undefined;
  /** The `X-Registry-Auth` header; {@link NO_REGISTRY_AUTH} by default. */
  registryAuth?: string;
}

/** Options of `imageTag`: the new name. */
export interface ImageTagOptions {
  /** The repository of the new name: `127.0.0.1:5000/x`. */
  repo: string;
  /** Its tag; the daemon uses `latest` when undefined. */
  tag?: string | undefined;
}

/** Options of `imageRemove`. */
export interface ImageRemoveOptions {
  /** `?force=1`: remove the image even when containers use it, and every tag of it. */
  force?: boolean | undefined;
  /** `?noprune=1`: keep untagged parent images. */
  noPrune?: boolean | undefined;
}

/**
 * `POST /images/create?fromImage=…&tag=…`: pulls, yielding the daemon's
 * progress messages as they come. The request is sent when the iteration
 * starts. Messages with `errorDetail` are yielded, not thrown: the pull failed
 * after the 200 (see `displayJsonMessages`).
 * @throws an errdefs class when the daemon refuses before streaming (404 for an unknown image).
 */
export function imagePull(client: EngineClient, options: ImagePullOptions): AsyncGenerator<JSONMessage> {
  return client.jsonLines<JSONMessage>('POST', '/images/create', {
    query: { fromImage: options.fromImage, tag: options.tag },
    headers: { 'X-Registry-Auth': options.registryAuth ?? NO_REGISTRY_AUTH },
  });
}

/** `GET /images/json`: the images, one entry per image (its tags in `RepoTags`). */
export async function imageList(client: EngineClient): Promise<ImageSummary[]> {
  return (await client.json<ImageSummary[] | undefined>('GET', '/images/json')) ?? [];
}

/**
 * `GET /images/{name}/json`: one image by name or id.
 * @throws NotFoundError for an unknown image.
 */
export function imageInspect(client: EngineClient, name: string): Promise<ImageInspect> {
  return client.json<ImageInspect>('GET', `/images/${name}/json`);
}

/**
 * `POST /images/{source}/tag?repo=…&tag=…`: gives the image `source` another name.
 * @throws NotFoundError for an unknown source.
 */
export async function imageTag(client: EngineClient, source: string, options: ImageTagOptions): Promise<void> {
  await client.json('POST', `/images/${source}/tag`, { query: { repo: options.repo, tag: options.tag } });
}

/**
 * `POST /images/{name}/push?tag=…`: pushes, yielding the daemon's progress
 * messages as they come (as {@link imagePull} does). `name` is the repository
 * without the tag: `127.0.0.1:5000/x`.
 */
export function imagePush(client: EngineClient, name: string, options: ImagePushOptions = {}): AsyncGenerator<JSONMessage> {
  return client.jsonLines<JSONMessage>('POST', `/images/${name}/push`, {
    query: { tag: options.tag },
    headers: { 'X-Registry-Auth': options.registryAuth ?? NO_REGISTRY_AUTH },
  });
}

/**
 * `DELETE /images/{name}`: untags `name`, and deletes the image once no name is left.
 * @returns what happened, one entry per name untagged (`Untagged`) or image deleted (`Deleted`).
 * @throws NotFoundError for an unknown image; ConflictError when a container uses it (without force).
 */
export async function imageRemove(client: EngineClient, name: string, options: ImageRemoveOptions = {}): Promise<ImageDeleteResponseItem[]> {
  const query = { force: options.force || undefined, noprune: options.noPrune || undefined };
  return (await client.json<ImageDeleteResponseItem[] | undefined>('DELETE', `/images/${name}`, { query })) ?? [];
}
