/**
 * Pushing an image: the distribution spec's push workflow, from a blob store.
 *
 * ```
 * for the config and each layer:
 *   HEAD /v2/<name>/blobs/<digest>                  200: the registry has it, skip
 *   POST /v2/<name>/blobs/uploads/[?mount=&from=]    201: mounted; 202: Location of an upload session
 *   monolithic (size ≤ chunkSize):  PUT <location>?digest=<digest>   the whole blob, streamed
 *   chunked    (size > chunkSize):  PATCH <location>  Content-Range: <start>-<end>   (Location changes each time)
 *                                   PUT   <location>?digest=<digest>   empty body
 * PUT /v2/<name>/manifests/<tag>   Content-Type: the manifest's media type   (last: its blobs now exist)
 * ```
 */
import type { Readable } from 'node:stream';
import { NotImplementedError } from '../errors.js';
import type { BlobReader } from '../image/blob-store.js';
import { digestOf } from '../image/digest.js';
import { DigestMismatchError } from '../image/errors.js';
import { MAX_MANIFEST_SIZE } from '../image/limits.js';
import { INDEX_TYPES, MANIFEST_TYPES, OCI_MANIFEST } from '../image/media-types.js';
import type { Descriptor } from '../image/types.js';
import { ValidationError, validateManifest } from '../image/validate.js';
import { repositoryScope } from './auth.js';
import type { RegistryHttp } from './http.js';
import { emit, shortId } from './progress.js';
import type { ProgressListener } from './progress.js';

/** Blobs larger than this go up in chunks of this size unless told otherwise (docker's default chunk is 5 MiB too). */
export const DEFAULT_CHUNK_SIZE = 5 * 1024 * 1024;

/** What a push needs besides the image. */
export interface PushOptions {
  /** Blobs larger than this are uploaded in PATCH chunks of this many bytes; smaller ones in one PUT. */
  chunkSize?: number;
  /** A repository of the same registry that may hold the blobs: asked to mount them first. */
  mountFrom?: string;
  /** Receives per-layer progress events. */
  onProgress?: ProgressListener;
}

/** Collects a small stream (a manifest) into one Buffer, refusing more than `max` bytes. */
async function readAll(stream: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      stream.destroy();
      throw new ValidationError('(root)', `a manifest larger than ${max} bytes is refused`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Cuts a stream into Buffers of exactly `size` bytes (the last may be shorter): one PATCH each. */
async function* chunksOf(stream: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const data of stream) {
    let rest = data;
    while (length + rest.length >= size) {
      const take = size - length;
      yield Buffer.concat([...pending, rest.subarray(0, take)]);
      rest = rest.subarray(take);
      pending = [];
      length = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      length += rest.length;
    }
  }
  if (length > 0) yield Buffer.concat(pending);
}

/** The body of the completing PUT: the whole blob (monolithic) or nothing (after chunks). */
interface FinalBody {
  body?: AsyncIterable<Uint8Array>;
  length: number;
}

/** Checks a registry's `Docker-Content-Digest`, when it sent one, against what was pushed. */
function checkDigestHeader(response: Response, expected: Descriptor['digest']): void {
  const reported = response.headers.get('docker-content-digest');
  if (reported !== null && reported !== expected) throw new DigestMismatchError(expected, reported as Descriptor['digest']);
}

/**
 * Uploads one blob unless the registry has it (HEAD), mounting it from
 * `mountFrom` when the registry can. With `progress`, reports the layer's events.
 * @returns 'exists', 'mounted' or 'pushed'.
 * @throws BlobNotFoundError when the store lacks the blob; RegistryResponseError (e.g. `DIGEST_INVALID`).
 */
export async function pushBlob(
  http: RegistryHttp,
  repository: string,
  blob: Descriptor,
  store: BlobReader,
  options: PushOptions = {},
  progress?: ProgressListener,
): Promise<'exists' | 'mounted' | 'pushed'> {
  // TODO(lesson-08): HEAD the blob (200: 'exists'), start an upload session with POST (201 with ?mount=&from=: 'mounted'), then upload it.
  // HINT: http.request({ method: 'HEAD', path, scope, expect: [200, 404] }); scope = repositoryScope(repository, ['pull', 'push']).
  // HINT: POST /v2/<repository>/blobs/uploads/ expecting [201, 202]; the session is the Location header of the 202.
  // HINT: upload(http, scope, location, blob, await store.get(blob.digest), chunkSize, progress), and destroy the stream in finally.
  void http, repository, blob, store, options, progress;
  throw new NotImplementedError('lesson-08: pushBlob');
}

/** Sends the content of an upload session: one streamed PUT, or PATCH chunks and an empty PUT. */
async function upload(
  http: RegistryHttp,
  scope: string,
  location: string,
  blob: Descriptor,
  content: Readable,
  chunkSize: number,
  progress: ProgressListener | undefined,
): Promise<'pushed'> {
  // TODO(lesson-08): Send the content: one streamed PUT <location>?digest= when size <= chunkSize, else PATCH chunks then an empty PUT.
  // HINT: PATCH headers: content-type application/octet-stream, content-length, content-range `${start}-${end}`; expect [202].
  // HINT: After each PATCH the next request goes to that answer's Location. chunksOf(content, chunkSize) cuts the chunks.
  // HINT: Emit 'Pushing' {current, total} as bytes go; the PUT expects 201; checkDigestHeader(response, blob.digest).
  void http, scope, location, blob, content, chunkSize, progress;
  throw new NotImplementedError('lesson-08: upload');
}

/**
 * Pushes the image whose manifest `manifest` describes (read from `store`) as
 * `repository:tag`: the config and the layers first, each skipped when the
 * registry has it, then the manifest with its media type.
 * @returns the pushed manifest's descriptor (its digest is what `docker push` prints).
 * @throws BlobNotFoundError for a blob missing from the store; ValidationError for an
 *   index (push each image by itself) or an invalid manifest; RegistryResponseError from the registry.
 */
export async function push(
  http: RegistryHttp,
  repository: string,
  tag: string,
  store: BlobReader,
  manifest: Descriptor,
  options: PushOptions = {},
): Promise<Descriptor> {
  // TODO(lesson-08): Read and validate the manifest from the store, pushBlob its config and layers, then PUT the manifest bytes last.
  // HINT: readAll(await store.get(manifest.digest), MAX_MANIFEST_SIZE); refuse an index (INDEX_TYPES) with a ValidationError.
  // HINT: Layers: emit 'Preparing' for each, then after pushBlob 'Pushed', 'Layer already exists' or `Mounted from ${mountFrom}`.
  // HINT: PUT /v2/<repository>/manifests/<tag>, Content-Type: the media type (the JSON's when the descriptor says application/octet-stream), the unchanged bytes, expect [201].
  void http, repository, tag, store, manifest, options;
  throw new NotImplementedError('lesson-08: push');
}
