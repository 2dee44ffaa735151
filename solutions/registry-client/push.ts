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
  const scope = repositoryScope(repository, ['pull', 'push']);
  const head = await http.request({ method: 'HEAD', path: `/v2/${repository}/blobs/${blob.digest}`, scope, expect: [200, 404] });
  if (head.status === 200) return 'exists';

  const start = new URL(`/v2/${repository}/blobs/uploads/`, http.baseUrl);
  if (options.mountFrom !== undefined && options.mountFrom !== repository) {
    start.searchParams.set('mount', blob.digest);
    start.searchParams.set('from', options.mountFrom);
  }
  const session = await http.request({ method: 'POST', path: start.href, scope, headers: { 'content-length': '0' }, expect: [201, 202] });
  await session.body?.cancel();
  if (session.status === 201) return 'mounted';
  const location = session.headers.get('location');
  if (location === null) throw new ValidationError('Location', 'the registry started an upload without a Location');

  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const content = await store.get(blob.digest);
  try {
    return await upload(http, scope, location, blob, content, chunkSize, progress);
  } finally {
    content.destroy(); // a failed upload leaves no open file behind
  }
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
  const id = shortId(blob.digest);
  let sent = 0;
  const report = () => progress !== undefined && emit(progress, { id, status: 'Pushing', current: sent, total: blob.size });
  let finish: FinalBody;
  if (blob.size <= chunkSize) {
    const counted = (async function* () {
      for await (const chunk of content as AsyncIterable<Buffer>) {
        sent += chunk.length;
        report();
        yield chunk;
      }
    })();
    finish = { body: counted, length: blob.size };
  } else {
    for await (const chunk of chunksOf(content as AsyncIterable<Buffer>, chunkSize)) {
      const patched = await http.request({
        method: 'PATCH',
        path: location,
        scope,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(chunk.length),
          'content-range': `${sent}-${sent + chunk.length - 1}`,
        },
        body: chunk,
        expect: [202],
      });
      await patched.body?.cancel();
      // Each answer names where the next request goes; the session's URL may change.
      location = patched.headers.get('location') ?? location;
      sent += chunk.length;
      report();
    }
    finish = { length: 0 };
  }
  const put = new URL(location, http.baseUrl);
  put.searchParams.set('digest', blob.digest);
  const done = await http.request({
    method: 'PUT',
    path: put.href,
    scope,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(finish.length) },
    ...(finish.body === undefined ? {} : { body: finish.body }),
    expect: [201],
  });
  await done.body?.cancel();
  checkDigestHeader(done, blob.digest);
  return 'pushed';
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
  if (INDEX_TYPES.includes(manifest.mediaType)) throw new ValidationError('mediaType', 'pushing an index is not supported: push each image manifest');
  const bytes = await readAll(await store.get(manifest.digest), MAX_MANIFEST_SIZE);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ValidationError('(root)', `the manifest ${manifest.digest} in the store is not JSON`);
  }
  const parsed = validateManifest(json);
  // A descriptor from store.stat says application/octet-stream: the document knows better.
  const mediaType = MANIFEST_TYPES.includes(manifest.mediaType) ? manifest.mediaType : (parsed.mediaType ?? OCI_MANIFEST);
  const { onProgress } = options;
  for (const layer of parsed.layers) emit(onProgress, { id: shortId(layer.digest), status: 'Preparing' });

  await pushBlob(http, repository, parsed.config, store, options);
  const done = new Set<string>();
  for (const layer of parsed.layers) {
    if (done.has(layer.digest)) continue;
    done.add(layer.digest);
    const outcome = await pushBlob(http, repository, layer, store, options, onProgress);
    const status = outcome === 'exists' ? 'Layer already exists' : outcome === 'mounted' ? (`Mounted from ${options.mountFrom ?? ''}` as const) : 'Pushed';
    emit(onProgress, { id: shortId(layer.digest), status });
  }

  const response = await http.request({
    method: 'PUT',
    path: `/v2/${repository}/manifests/${tag}`,
    scope: repositoryScope(repository, ['pull', 'push']),
    headers: { 'content-type': mediaType },
    body: bytes,
    expect: [201],
  });
  await response.body?.cancel();
  const digest = digestOf(bytes);
  checkDigestHeader(response, digest);
  return { mediaType, digest, size: bytes.length };
}
