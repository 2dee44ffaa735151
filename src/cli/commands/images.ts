/**
 * `minidocker images`, `pull` and `rmi`.
 *
 * ```
 * images        → GET /images/json          → REPOSITORY  TAG  IMAGE ID  CREATED  SIZE (a row per tag)
 * pull busybox  → POST /images/create?fromImage=docker.io/library/busybox&tag=latest
 *                 (X-Registry-Auth: e30=)    → one progress line per JSON message
 * rmi busybox   → DELETE /images/busybox     → Untagged: … / Deleted: …
 * ```
 */
import type { Writable } from 'node:stream';
import { NotFoundError } from '../../errdefs.js';
import type { ImageDeleteResponseItem, ImageSummary, JSONMessage } from '../../api/types.js';
import { NotImplementedError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { describeError, formatTable, humanSize, shortId, timeAgo } from '../format.js';
import { displayJsonMessages } from '../jsonmessage.js';

/** Flags of `minidocker images`. */
export interface ImagesOptions {
  /** `-q`: print only the image ids. */
  quiet?: boolean;
}

/** Flags of `minidocker rmi`. */
export interface RmiOptions {
  /** `-f`: sent as `?force=1`. */
  force?: boolean;
}

/** An image name as docker's reference parser splits it. */
export interface ImageName {
  /** Fully qualified repository, sent as `fromImage`: `docker.io/library/busybox`, `127.0.0.1:5000/x`. */
  name: string;
  /** The short form docker shows: `busybox`, `user/app`, `127.0.0.1:5000/x`. */
  familiarName: string;
  /** The tag; `latest` when the name had neither tag nor digest; undefined with a digest only. */
  tag: string | undefined;
  /** The digest of a `name@sha256:…` reference. */
  digest: string | undefined;
  /** True when `latest` was assumed. */
  defaultTag: boolean;
  /** The full reference: `docker.io/library/busybox:latest`. */
  reference: string;
  /** The short reference docker prints: `busybox:latest`. */
  familiar: string;
}

// The `{}` auth config, base64: what the docker CLI sends when you are not logged in.
const NO_AUTH = 'e30=';

/**
 * Splits and normalises an image name like docker does for Docker Hub names:
 * `busybox` → `docker.io/library/busybox:latest`, `user/app:v1` →
 * `docker.io/user/app:v1`; a first component with `.` or `:` or `localhost`
 * is a registry (`127.0.0.1:5000/x`). This is a small stand-in: lesson 05
 * builds the full reference parser (validation, canonical forms).
 */
export function parseImageName(reference: string): ImageName {
  // TODO(lesson-02): Split off '@digest' and ':tag' (a ':' only counts after the last '/'), then qualify the repository.
  // HINT: the first path component is a registry when it has '.' or ':' or is 'localhost'; else prefix 'docker.io/',
  // HINT: plus 'library/' for a single-component name. familiarName strips those prefixes again.
  void reference;
  throw new NotImplementedError('lesson-02: parseImageName');
}

/**
 * Pulls an image: `POST /images/create?fromImage=<name>&tag=<tag or digest>`
 * with `X-Registry-Auth: e30=`, printing the progress stream to `out` the way
 * docker does (`displayJsonMessages`, provided in `cli/jsonmessage.ts`):
 * without a terminal `<id>: <status>` (or just `<status>`) per message,
 * skipping messages that only move a progress bar; on a terminal one line per
 * layer, redrawn with its bar.
 * @throws Error with the message of an `errorDetail`/`error` line; the client's
 *   error when the daemon refuses the request.
 */
export async function pullImage(ctx: CommandContext, image: ImageName, out: Writable): Promise<void> {
  // TODO(lesson-02): Stream POST /images/create?fromImage=…&tag=… with client.jsonLines and print one line per message.
  // HINT: headers: { 'X-Registry-Auth': NO_AUTH }; then hand the messages to displayJsonMessages (cli/jsonmessage.ts), which prints them and throws on errorDetail.
  void ctx, image, out;
  throw new NotImplementedError('lesson-02: pullImage');
}

/**
 * `minidocker pull NAME`: prints `Using default tag: latest` when no tag was
 * given, the progress (see {@link pullImage}), and finally the full name
 * (`docker.io/library/busybox:latest`), as docker does.
 * @returns 0.
 */
export async function pull(ctx: CommandContext, name: string): Promise<number> {
  // TODO(lesson-02): Print 'Using default tag: latest' if no tag was given, pull to stdout, then print the full reference.
  void ctx, name;
  throw new NotImplementedError('lesson-02: pull');
}

/**
 * `minidocker images`: `GET /images/json`, then one table row per repo tag
 * (familiar repository, tag, short id, created ago, size); an image without
 * tags gets one `<none>  <none>` row. `-q` prints the short ids only.
 * @returns 0.
 */
export async function images(ctx: CommandContext, options: ImagesOptions): Promise<number> {
  // TODO(lesson-02): GET /images/json and print the REPOSITORY / TAG / IMAGE ID / CREATED / SIZE table with formatTable.
  // HINT: RepoTags may be null or hold '<none>:<none>': such an image gets one '<none>' '<none>' row.
  void ctx, options;
  throw new NotImplementedError('lesson-02: images');
}

/**
 * `minidocker rmi NAME…`: `DELETE /images/<name>` (`?force=1` with `-f`) for
 * each name, printing `Untagged: …` / `Deleted: …` per entry of the answer.
 * @returns 0.
 * @throws AggregateError of the failures, after trying every name. With `-f`,
 *   "no such image" failures are only printed to stderr, as docker does.
 */
export async function rmi(ctx: CommandContext, names: string[], options: RmiOptions): Promise<number> {
  // TODO(lesson-02): DELETE /images/<name> for each name and print 'Untagged: …' or 'Deleted: …' per answer entry.
  // HINT: collect the errors and throw new AggregateError(errors) at the end, so every name is tried.
  void ctx, names, options;
  throw new NotImplementedError('lesson-02: rmi');
}
