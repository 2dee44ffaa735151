/**
 * `minidocker images`, `pull` and `rmi`.
 *
 * ```
 * images        → imageList:   GET /images/json          → REPOSITORY  TAG  IMAGE ID  CREATED  SIZE (a row per tag)
 * pull busybox  → imagePull:   POST /images/create?fromImage=docker.io/library/busybox&tag=latest
 *                              (X-Registry-Auth: e30=)    → one progress line per JSON message
 * rmi busybox   → imageRemove: DELETE /images/busybox     → Untagged: … / Deleted: …
 * ```
 * The typed calls are in `client/images.ts`.
 */
import type { Writable } from 'node:stream';
import { NotFoundError } from '../../errdefs.js';
import { imageList, imagePull, imageRemove } from '../../client/images.js';
import { NotImplementedError } from '../../errors.js';
import { humanSize, shortId } from '../../units.js';
import type { CommandContext } from '../context.js';
import { describeError, formatTable, timeAgo } from '../format.js';
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

/**
 * Splits and normalises an image name like docker does for Docker Hub names:
 * `busybox` → `docker.io/library/busybox:latest`, `user/app:v1` →
 * `docker.io/user/app:v1`; a first component with `.` or `:` or `localhost`
 * is a registry (`127.0.0.1:5000/x`). This is a small stand-in: lesson 05
 * builds the full reference parser (validation, canonical forms).
 */
export function parseImageName(reference: string): ImageName {
  let rest = reference;
  let digest: string | undefined;
  let tag: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) [rest, digest] = [rest.slice(0, at), rest.slice(at + 1)];
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) [rest, tag] = [rest.slice(0, colon), rest.slice(colon + 1)];
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  let domain = 'docker.io';
  let path = slash < 0 ? `library/${rest}` : rest;
  if (first.includes('.') || first.includes(':') || first === 'localhost') [domain, path] = [first, rest.slice(slash + 1)];
  if (domain === 'index.docker.io') domain = 'docker.io';
  const hub = domain === 'docker.io';
  const familiarName = !hub ? `${domain}/${path}` : /^library\/[^/]+$/.test(path) ? path.slice('library/'.length) : path;
  const defaultTag = tag === undefined && digest === undefined;
  if (defaultTag) tag = 'latest';
  const suffix = `${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`;
  const name = `${domain}/${path}`;
  return { name, familiarName, tag, digest, defaultTag, reference: name + suffix, familiar: familiarName + suffix };
}

/**
 * Pulls an image with `imagePull`: `POST /images/create?fromImage=<name>&tag=<tag or digest>`
 * with `X-Registry-Auth: e30=`, printing the progress stream to `out` the way
 * docker does (`displayJsonMessages`, provided in `cli/jsonmessage.ts`):
 * without a terminal `<id>: <status>` (or just `<status>`) per message,
 * skipping messages that only move a progress bar; on a terminal one line per
 * layer, redrawn with its bar.
 * @throws Error with the message of an `errorDetail`/`error` line; the client's
 *   error when the daemon refuses the request.
 */
export async function pullImage(ctx: CommandContext, image: ImageName, out: Writable): Promise<void> {
  // TODO(lesson-02): Pull with imagePull (the fully qualified name, and the digest or else the tag) and print its messages.
  // HINT: displayJsonMessages (cli/jsonmessage.ts) takes the message stream and `out`: it prints them and throws on errorDetail.
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
  const image = parseImageName(name);
  if (image.defaultTag) ctx.io.stdout.write('Using default tag: latest\n');
  await pullImage(ctx, image, ctx.io.stdout);
  ctx.io.stdout.write(`${image.reference}\n`);
  return 0;
}

/**
 * `minidocker images`: `GET /images/json`, then one table row per repo tag
 * (familiar repository, tag, short id, created ago, size); an image without
 * tags gets one `<none>  <none>` row. `-q` prints the short ids only.
 * @returns 0.
 */
export async function images(ctx: CommandContext, options: ImagesOptions): Promise<number> {
  // TODO(lesson-02): List with imageList and print the REPOSITORY / TAG / IMAGE ID / CREATED / SIZE table with formatTable.
  // HINT: one row per RepoTag, split with parseImageName (familiarName, tag); shortId, timeAgo and humanSize fill the rest.
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
  // TODO(lesson-02): imageRemove each name and print 'Untagged: …' or 'Deleted: …' per answer entry.
  // HINT: collect the errors and throw new AggregateError(errors) at the end, so every name is tried.
  void ctx, names, options;
  throw new NotImplementedError('lesson-02: rmi');
}
