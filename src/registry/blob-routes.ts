/**
 * Blobs and their uploads (distribution-spec end-2, end-4a/b, end-5, end-6,
 * end-10, end-11, end-13, end-14). Every byte streams: GETs from the file,
 * uploads to disk; nothing sized by the client is held in memory.
 */
import nodeFs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { DigestMismatchError } from '../image/errors.js';
import { NotImplementedError } from '../errors.js';
import { RegistryError, sendRegistryError } from './errors.js';
import { parseBlobDigest, parseRepositoryName } from './names.js';
import { parseContentRange, uploadRange } from './uploads.js';
import type { RegistryRouteContext } from './route-context.js';

/** `GET`/`HEAD /v2/<name>/blobs/<digest>`: the blob, whole or one `Range: bytes=…`. */
export async function getBlob(ctx: RegistryRouteContext, digestParam: string): Promise<void> {
  // TODO(lesson-07): Answer 200 (or 206 for a Range) with Content-Type, Content-Length, Docker-Content-Digest and Accept-Ranges, and stream the file; 416 with `Content-Range: bytes */size` for a range outside it.
  // HINT: storage.statBlob gives size and path; fs.createReadStream(path, { start, end }) reads an inclusive slice.
  // HINT: HEAD: the same headers, res.end() without a body.
  throw new NotImplementedError('lesson-07: getBlob');
}

/** `DELETE /v2/<name>/blobs/<digest>`: 202; the repository no longer has the blob. */
export async function deleteBlob(ctx: RegistryRouteContext, digestParam: string): Promise<void> {
  // TODO(lesson-07): Unlink the blob from the repository and answer 202.
  throw new NotImplementedError('lesson-07: deleteBlob');
}

/**
 * `POST /v2/<name>/blobs/uploads/`: with `?mount=&from=` a cross-repository
 * mount (201, or a new session when `from` lacks the blob); with `?digest=` a
 * monolithic upload of the body (201); otherwise a new session (202).
 */
export async function startUpload(ctx: RegistryRouteContext): Promise<void> {
  // TODO(lesson-07): Mount (?mount=&from=, 201) when `from` has the blob, else a monolithic upload with ?digest= (201), else open a session (202 with uploadHeaders).
  // HINT: a failed mount (bad digest, unknown repo, missing blob) falls back to the next case, it is no error.
  // HINT: monolithic: storage.blobs.put(req, { digest }) streams the body; then storage.linkBlob.
  throw new NotImplementedError('lesson-07: startUpload');
}

/** `GET /v2/<name>/blobs/uploads/<uuid>`: 204 with `Range` and `Location`. */
export async function uploadStatus(ctx: RegistryRouteContext, uuid: string): Promise<void> {
  // TODO(lesson-07): Answer 204 with uploadHeaders for the session.
  throw new NotImplementedError('lesson-07: uploadStatus');
}

/** `PATCH /v2/<name>/blobs/uploads/<uuid>`: appends a chunk, 202 with the new `Range`; out of order → 416. */
export async function patchUpload(ctx: RegistryRouteContext, uuid: string): Promise<void> {
  // TODO(lesson-07): Inside withUploadLocation: parse Content-Range against the session's size, append the request body, answer 202 with uploadHeaders.
  throw new NotImplementedError('lesson-07: patchUpload');
}

/** `PUT /v2/<name>/blobs/uploads/<uuid>?digest=`: the optional last chunk, then verify and commit (201). */
export async function completeUpload(ctx: RegistryRouteContext, uuid: string): Promise<void> {
  // TODO(lesson-07): Inside withUploadLocation: require ?digest=, complete the session with the body when there is one, link the blob and answer 201.
  throw new NotImplementedError('lesson-07: completeUpload');
}

/** `DELETE /v2/<name>/blobs/uploads/<uuid>`: 204, the session and its data are gone. */
export async function cancelUpload(ctx: RegistryRouteContext, uuid: string): Promise<void> {
  // TODO(lesson-07): Cancel the session and answer 204.
  throw new NotImplementedError('lesson-07: cancelUpload');
}

/**
 * Parses `Range: bytes=a-b | a- | -n` (one range) against a size.
 * @returns undefined without a (usable) header, 'unsatisfiable' for a range
 *   outside the blob, else the inclusive range, `end` clamped to the last byte.
 */
export function parseByteRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  // TODO(lesson-07): Parse one `bytes=a-b`, `bytes=a-` or `bytes=-n`; clamp end to the last byte; a start past the end is 'unsatisfiable'.
  throw new NotImplementedError('lesson-07: parseByteRange');
}

/** The headers of every upload reply: where to go on, how far it got, which session. */
function uploadHeaders(name: string, uuid: string, size: number): Record<string, string | number> {
  return {
    Location: `/v2/${name}/blobs/uploads/${uuid}`,
    Range: uploadRange(size),
    'Docker-Upload-UUID': uuid,
    'Blob-Upload-Session-ID': uuid,
    'Content-Length': 0,
  };
}

/** A 201 naming the new blob. */
function created(ctx: RegistryRouteContext, location: string, digest: string): void {
  ctx.res.writeHead(201, { Location: location, 'Docker-Content-Digest': digest, 'Content-Length': 0 });
  ctx.res.end();
}

/** Errors about a session still carry its Location and uuid, so a client can resume after a 416. */
async function withUploadLocation(ctx: RegistryRouteContext, uuid: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof RegistryError) || err.code === 'BLOB_UPLOAD_UNKNOWN') throw err;
    sendRegistryError(ctx.res, err, { Location: `/v2/${ctx.name}/blobs/uploads/${uuid}`, 'Docker-Upload-UUID': uuid });
  }
}

function digestInvalid(err: DigestMismatchError): RegistryError {
  return new RegistryError('DIGEST_INVALID', err.message, { detail: { expected: err.expected, actual: err.actual } });
}
