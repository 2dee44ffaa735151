/**
 * The images API: the HTTP side of {@link ImageService}.
 *
 * ```
 * POST   /images/create?fromImage=&tag=   pull; 200 + newline-delimited JSON messages
 * GET    /images/json                     list
 * GET    /images/{name}/json              inspect
 * POST   /images/{name}/tag?repo=&tag=    201, empty body
 * POST   /images/{name}/push?tag=         push; 200 + JSON messages (X-Registry-Auth)
 * DELETE /images/{name}?force=            [{"Untagged":…},{"Deleted":…}]
 * ```
 * Image names arrive unescaped (`/images/127.0.0.1:5000/x/push`), so the
 * routes are greedy RegExps. A stream's status is decided by its first
 * message: a failure before it is a plain JSON error (a 404 for an unknown
 * manifest); a failure after it is an `errorDetail` line, as dockerd does.
 */
import type { ServerResponse } from 'node:http';
import type { JSONMessage, SystemInfo } from '../../api/types.js';
import { NotImplementedError } from '../../errors.js';
import { familiarString, parseReference, repositoryName } from '../../image/reference.js';
import { decodeRegistryAuth } from '../../registry-client/auth.js';
import type { ProgressEvent } from '../../registry-client/progress.js';
import { sendJson } from '../server/http.js';
import { progressMessage } from '../images/progress.js';
import type { ImagesBackend } from '../backends.js';
import type { RouteContext } from '../server/router.js';
import type { RouteRegistrar } from '../server/route-registrar.js';
import { validated } from '../server/validate.js';
import type { Validated } from '../server/validate.js';
import { pullQuery, pushQuery, removeImageQuery, tagQuery } from './image-requests.js';
import type { PullQuery, PushQuery, RemoveImageQuery, TagQuery } from './image-requests.js';

/**
 * A newline-delimited JSON message stream whose headers (200,
 * `application/json`) are sent with the first message and flushed at once.
 */
export class JsonMessageStream {
  readonly #res: ServerResponse;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  /** True once the first message (and so the status) went out. */
  get started(): boolean {
    return this.#res.headersSent;
  }

  /** Sends one message as one line. */
  write(message: JSONMessage): void {
    if (!this.#res.headersSent) {
      this.#res.writeHead(200, { 'Content-Type': 'application/json' });
      this.#res.flushHeaders();
    }
    this.#res.write(`${JSON.stringify(message)}\n`);
  }

  /** Ends the stream with an `errorDetail` line (docker's way to fail after the status was sent). */
  fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.write({ errorDetail: { message }, error: message });
    this.#res.end();
  }

  /** Ends the stream. */
  end(): void {
    this.#res.end();
  }
}

/** Registers the images routes on the given backend (the composition root hands in the daemon's one image service). */
export function registerImageRoutes(backend: ImagesBackend): RouteRegistrar {
  return (router, daemon) => {
    router.add('POST', '/images/create', validated({ query: pullQuery }, (ctx, input) => createImage(backend, ctx, input)));
    router.add('GET', '/images/json', (ctx) => listImages(backend, ctx));
    router.add('GET', /^\/images\/(?<name>.+)\/json$/, (ctx) => inspectImage(backend, ctx));
    router.add('POST', /^\/images\/(?<name>.+)\/tag$/, validated({ query: tagQuery }, (ctx, input) => tagImage(backend, ctx, input)));
    router.add('POST', /^\/images\/(?<name>.+)\/push$/, validated({ query: pushQuery }, (ctx, input) => pushImage(backend, ctx, input)));
    router.add('DELETE', /^\/images\/(?<name>.+)$/, validated({ query: removeImageQuery }, (ctx, input) => deleteImage(backend, ctx, input)));
    daemon.infoSources.push(() => imageInfo(backend));
  };
}

/**
 * The `/info` field the images routes own: `Images`, the number of image IDs.
 * {} when the store cannot be listed: like dockerd, `/info` still answers.
 */
export async function imageInfo(backend: ImagesBackend): Promise<SystemInfo> {
  try {
    return { Images: (await backend.list()).length };
  } catch {
    return {};
  }
}

/**
 * `POST /images/create?fromImage=&tag=`: pulls and streams docker's messages:
 * `Pulling from <path>` (id: the tag), per layer `Pulling fs layer`,
 * `Downloading` (with the bar), `Verifying Checksum`, `Download complete`,
 * then `Pull complete` once stored (or `Already exists`), then
 * `Digest: sha256:…` and `Status: Downloaded newer image for <name>` (or
 * `Image is up to date for <name>`).
 * @throws before the first message: what ImageService.pull throws (→ JSON error reply).
 */
export async function createImage(backend: ImagesBackend, ctx: RouteContext, { query }: Validated<PullQuery>): Promise<void> {
  // TODO(lesson-09): Pull query.fromImage and query.tag through the backend and stream docker's JSON messages.
  // HINT: X-Registry-Auth → decodeRegistryAuth; a JsonMessageStream sends 200 with its first message only,
  // HINT: so write `Pulling from <path>` (id: the tag) lazily, on the first progress event: an error before it stays a JSON 404/500.
  // HINT: each ProgressEvent → progressMessage(event); after the pull: `Pull complete` per layer (id: 12 hex),
  // HINT: `Digest: <digest>` and `Status: Downloaded newer image for <familiar name>` (or `Image is up to date for …`).
  // HINT: a failure after the first message: stream.fail(err) (an errorDetail line).
  throw new NotImplementedError('lesson-09: createImage');
}

/** `GET /images/json` → 200 with ImageService.list. */
export async function listImages(backend: ImagesBackend, ctx: RouteContext): Promise<void> {
  // TODO(lesson-09): Answer 200 with backend.list().
  throw new NotImplementedError('lesson-09: listImages');
}

/** `GET /images/{name}/json` → 200 with ImageService.inspect; 404 `No such image`. */
export async function inspectImage(backend: ImagesBackend, ctx: RouteContext): Promise<void> {
  // TODO(lesson-09): Answer 200 with backend.inspect(ctx.params.name).
  throw new NotImplementedError('lesson-09: inspectImage');
}

/** `POST /images/{name}/tag?repo=&tag=` → 201 with an empty body. */
export async function tagImage(backend: ImagesBackend, ctx: RouteContext, { query }: Validated<TagQuery>): Promise<void> {
  // TODO(lesson-09): Tag the image from query.repo and query.tag, then answer 201 with an empty body.
  throw new NotImplementedError('lesson-09: tagImage');
}

/**
 * `POST /images/{name}/push?tag=`: streams `The push refers to repository
 * [<name>]`, per layer `Preparing`, `Pushing` (with the bar), `Pushed` or
 * `Layer already exists`, then `<tag>: digest: sha256:… size: N` and the
 * aux message `{Tag, Digest, Size}`.
 * @throws before the first message: NotFoundError for an image that does not exist locally.
 */
export async function pushImage(backend: ImagesBackend, ctx: RouteContext, { query }: Validated<PushQuery>): Promise<void> {
  // TODO(lesson-09): Push through the service and stream docker's push messages.
  // HINT: lazily, before the first event: `The push refers to repository [<repositoryName>]`;
  // HINT: then progressMessage per event, `<tag>: digest: <digest> size: <size>` and {progressDetail: {}, aux: {Tag, Digest, Size}}.
  throw new NotImplementedError('lesson-09: pushImage');
}

/** `DELETE /images/{name}?force=` → 200 with ImageService.remove's answer. */
export async function deleteImage(backend: ImagesBackend, ctx: RouteContext, { query }: Validated<RemoveImageQuery>): Promise<void> {
  // TODO(lesson-09): Answer 200 with backend.remove(name, query.force).
  throw new NotImplementedError('lesson-09: deleteImage');
}

function headerOf(ctx: RouteContext, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
