/**
 * Blobs and their uploads (distribution-spec end-2, end-4a/b, end-5, end-6,
 * end-10, end-11, end-13, end-14). Every byte streams: GETs from the file,
 * uploads to disk; nothing sized by the client is held in memory.
 */
import nodeFs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { DigestMismatchError } from '../image/errors.js';
import { RegistryError, sendRegistryError } from './errors.js';
import { parseBlobDigest, parseRepositoryName } from './names.js';
import { parseContentRange, uploadRange } from './uploads.js';
import type { RegistryRouteContext } from './route-context.js';

/** `GET`/`HEAD /v2/<name>/blobs/<digest>`: the blob, whole or one `Range: bytes=…`. */
export async function getBlob(ctx: RegistryRouteContext, digestParam: string): Promise<void> {
  const { req, res, storage } = ctx;
  const digest = parseBlobDigest(digestParam);
  const blob = await storage.statBlob(ctx.name, digest);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    'Accept-Ranges': 'bytes',
    ETag: `"${digest}"`,
  };
  const range = parseByteRange(req.headers.range, blob.size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${blob.size}`, 'Content-Length': 0 });
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: blob.size - 1 };
  const length = blob.size === 0 ? 0 : end - start + 1;
  if (range !== undefined) headers['Content-Range'] = `bytes ${start}-${end}/${blob.size}`;
  res.writeHead(range === undefined ? 200 : 206, { ...headers, 'Content-Length': length });
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return;
  }
  // 1 MiB reads: a tenth of the chunks (and syscalls) of the 64 KiB default for big layers.
  await pipeline(nodeFs.createReadStream(blob.path, { start, end, highWaterMark: 1 << 20 }), res);
}

/** `DELETE /v2/<name>/blobs/<digest>`: 202; the repository no longer has the blob. */
export async function deleteBlob(ctx: RegistryRouteContext, digestParam: string): Promise<void> {
  await ctx.storage.unlinkBlob(ctx.name, parseBlobDigest(digestParam));
  ctx.res.writeHead(202, { 'Content-Length': 0 });
  ctx.res.end();
}

/**
 * `POST /v2/<name>/blobs/uploads/`: with `?mount=&from=` a cross-repository
 * mount (201, or a new session when `from` lacks the blob); with `?digest=` a
 * monolithic upload of the body (201); otherwise a new session (202).
 */
export async function startUpload(ctx: RegistryRouteContext): Promise<void> {
  const { req, res, storage, uploads, url, name } = ctx;
  const mount = url.searchParams.get('mount');
  const from = url.searchParams.get('from');
  if (mount !== null && from !== null) {
    try {
      const digest = parseBlobDigest(mount);
      await storage.statBlob(parseRepositoryName(from), digest);
      await storage.linkBlob(name, digest);
      return created(ctx, `/v2/${name}/blobs/${digest}`, digest);
    } catch (err) {
      if (!(err instanceof RegistryError)) throw err; // the spec's fallback: start an upload instead
    }
  }
  const digestParam = url.searchParams.get('digest');
  if (digestParam !== null) {
    const digest = parseBlobDigest(digestParam);
    try {
      await storage.blobs.put(req, { digest });
    } catch (err) {
      if (err instanceof DigestMismatchError) throw digestInvalid(err);
      throw err;
    }
    await storage.linkBlob(name, digest);
    return created(ctx, `/v2/${name}/blobs/${digest}`, digest);
  }
  req.resume(); // a body without ?digest= means nothing
  const session = await uploads.start(name);
  res.writeHead(202, uploadHeaders(name, session.uuid, session.size));
  res.end();
}

/** `GET /v2/<name>/blobs/uploads/<uuid>`: 204 with `Range` and `Location`. */
export async function uploadStatus(ctx: RegistryRouteContext, uuid: string): Promise<void> {
  const session = await ctx.uploads.status(ctx.name, uuid);
  ctx.res.writeHead(204, uploadHeaders(ctx.name, uuid, session.size));
  ctx.res.end();
}

/** `PATCH /v2/<name>/blobs/uploads/<uuid>`: appends a chunk, 202 with the new `Range`; out of order → 416. */
export async function patchUpload(ctx: RegistryRouteContext, uuid: string): Promise<void> {
  const { req, res, uploads, name } = ctx;
  await withUploadLocation(ctx, uuid, async () => {
    const before = await uploads.status(name, uuid);
    const range = parseContentRange(req.headers['content-range'], before.size);
    const session = await uploads.append(name, uuid, req, range);
    res.writeHead(202, uploadHeaders(name, uuid, session.size));
    res.end();
  });
}

/** `PUT /v2/<name>/blobs/uploads/<uuid>?digest=`: the optional last chunk, then verify and commit (201). */
export async function completeUpload(ctx: RegistryRouteContext, uuid: string): Promise<void> {
  const { req, url, uploads, storage, name } = ctx;
  await withUploadLocation(ctx, uuid, async () => {
    const before = await uploads.status(name, uuid);
    const digestParam = url.searchParams.get('digest');
    if (digestParam === null) throw new RegistryError('DIGEST_INVALID', 'the closing PUT needs ?digest=');
    const digest = parseBlobDigest(digestParam);
    const range = parseContentRange(req.headers['content-range'], before.size);
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) req.resume();
    await uploads.complete(name, uuid, digest, hasBody ? req : undefined, range);
    await storage.linkBlob(name, digest);
    created(ctx, `/v2/${name}/blobs/${digest}`, digest);
  });
}

/** `DELETE /v2/<name>/blobs/uploads/<uuid>`: 204, the session and its data are gone. */
export async function cancelUpload(ctx: RegistryRouteContext, uuid: string): Promise<void> {
  await ctx.uploads.cancel(ctx.name, uuid);
  ctx.res.writeHead(204);
  ctx.res.end();
}

/**
 * Parses `Range: bytes=a-b | a- | -n` (one range) against a size.
 * @returns undefined without a (usable) header, 'unsatisfiable' for a range
 *   outside the blob, else the inclusive range, `end` clamped to the last byte.
 */
export function parseByteRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return 'unsatisfiable';
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
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
