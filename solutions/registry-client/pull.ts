/**
 * Pulling an image: the distribution spec's pull workflow, into a content store.
 *
 * ```
 * GET  /v2/<name>/manifests/<tag|digest>   Accept: OCI + Docker manifest and index types
 *      └─ an index? pick the platform's entry, GET /v2/<name>/manifests/<digest>
 * GET  /v2/<name>/blobs/<config digest>     ┐ each streamed into store.put({digest, size}),
 * GET  /v2/<name>/blobs/<layer digest> …    ┘ skipped when the store already has it
 * store the manifest (then the index): last, so a stored manifest always has its blobs
 * ```
 * Every byte is checked against the digest that names it: the manifest
 * against the reference's digest (or the index entry, or Docker-Content-Digest),
 * each blob against its descriptor while it streams. Nothing is unpacked and
 * no image record is written: that is the daemon's part.
 */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobReader, BlobWriter } from '../image/blob-store.js';
import { digestOf, isDigest } from '../image/digest.js';
import { DigestMismatchError, SizeMismatchError } from '../image/errors.js';
import { MAX_MANIFEST_SIZE } from '../image/limits.js';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, INDEX_TYPES, MANIFEST_TYPES, OCI_INDEX, OCI_MANIFEST } from '../image/media-types.js';
import type { Descriptor, Manifest, Platform } from '../image/types.js';
import { ValidationError, validateIndex, validateManifest } from '../image/validate.js';
import { repositoryScope } from './auth.js';
import type { RegistryHttp } from './http.js';
import { hostPlatform, selectManifest } from './platform.js';
import { emit, shortId } from './progress.js';
import type { ProgressListener } from './progress.js';

/** The `Accept` header of a manifest request: every type the client can read. */
export const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST].join(', ');

/** What a pull needs besides the image's name. */
export interface PullOptions {
  /** The platform to pick from an index; this machine's ({@link hostPlatform}) unless given. */
  platform?: Platform;
  /** Receives per-layer progress events. */
  onProgress?: ProgressListener;
}

/** What a pull fetched; every blob named here is in the store. */
export interface PullResult {
  /** The image manifest's descriptor (with `platform` when it was picked from an index). */
  descriptor: Descriptor;
  /** The index's descriptor, when the reference named an index. */
  index?: Descriptor;
  /** The image manifest, validated. */
  manifest: Manifest;
  /** The config blob's descriptor. */
  config: Descriptor;
  /** The layers' descriptors, bottom first. */
  layers: Descriptor[];
}

/** A manifest or index as fetched: its bytes, checked against `descriptor`, and their JSON. */
export interface FetchedManifest {
  descriptor: Descriptor;
  bytes: Buffer;
  json: unknown;
}

/** A body that stopped short (a truncated or broken transfer) is worth another try; wrong content is not. */
function isShortRead(err: unknown): boolean {
  return err instanceof SizeMismatchError && err.actual < err.expected;
}

/**
 * Fetches a manifest or an index by tag or digest and checks its bytes: their
 * digest must be the reference's (a digest), `expected`'s, or the
 * `Docker-Content-Digest` header's; their size `expected`'s.
 * @throws RegistryResponseError (`MANIFEST_UNKNOWN` …) from the registry; DigestMismatchError,
 *   SizeMismatchError; ValidationError for a body that is not JSON or of an unknown type.
 */
export async function fetchManifest(http: RegistryHttp, repository: string, reference: string, expected?: Descriptor): Promise<FetchedManifest> {
  const response = await http.request({
    path: `/v2/${repository}/manifests/${reference}`,
    scope: repositoryScope(repository, ['pull']),
    headers: { accept: MANIFEST_ACCEPT },
  });
  if (Number(response.headers.get('content-length') ?? 0) > MAX_MANIFEST_SIZE) {
    await response.body?.cancel();
    throw new ValidationError('(root)', `a manifest larger than ${MAX_MANIFEST_SIZE} bytes is refused`);
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  const digest = digestOf(bytes);
  const header = response.headers.get('docker-content-digest') ?? undefined;
  const wanted = expected?.digest ?? (isDigest(reference) ? reference : isDigest(header) ? header : undefined);
  // The digest first: nothing unverified is parsed.
  if (wanted !== undefined && digest !== wanted) throw new DigestMismatchError(wanted, digest);
  if (expected !== undefined && bytes.length !== expected.size) throw new SizeMismatchError(expected.size, bytes.length);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ValidationError('(root)', 'the manifest is not JSON');
  }
  const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
  const declared = (json as { mediaType?: unknown } | null)?.mediaType;
  const known = [...MANIFEST_TYPES, ...INDEX_TYPES];
  const mediaType = known.includes(contentType) ? contentType : typeof declared === 'string' ? declared : '';
  if (!known.includes(mediaType)) throw new ValidationError('mediaType', `${JSON.stringify(mediaType || contentType)} is not a manifest or index type this client reads`);
  return { descriptor: { mediaType, digest, size: bytes.length }, bytes, json };
}

/**
 * Streams one blob into the store unless it is there already, verifying
 * digest and size as it flows; a short body is fetched again (bounded by the
 * transport's retry policy). `progress` makes it report `Downloading` events.
 * @returns true when it was fetched, false when the store already had it.
 * @throws DigestMismatchError or SizeMismatchError (nothing stored); RegistryResponseError.
 */
export async function fetchBlob(
  http: RegistryHttp,
  repository: string,
  blob: Descriptor,
  store: BlobReader & BlobWriter,
  progress?: ProgressListener,
): Promise<boolean> {
  if (await store.stat(blob.digest).then(() => true, () => false)) return false;
  const id = shortId(blob.digest);
  for (let attempt = 1; ; attempt++) {
    const response = await http.request({ path: `/v2/${repository}/blobs/${blob.digest}`, scope: repositoryScope(repository, ['pull']) });
    let received = 0;
    const body = response.body ?? Readable.from([]);
    const counted = async function* () {
      try {
        for await (const chunk of body as AsyncIterable<Uint8Array>) {
          received += chunk.byteLength;
          if (progress !== undefined) emit(progress, { id, status: 'Downloading', current: received, total: blob.size });
          yield chunk;
        }
      } catch {
        // The connection broke (or the body was shorter than its Content-Length).
        throw new SizeMismatchError(blob.size, received);
      }
    };
    try {
      await store.put(counted(), { digest: blob.digest, size: blob.size, mediaType: blob.mediaType });
      return true;
    } catch (err) {
      if (!isShortRead(err) || attempt >= http.retry.attempts) throw err;
      if (progress !== undefined) emit(progress, { id, status: 'Retrying' });
      await sleep(http.backoff(attempt));
    }
  }
}

/** Puts small bytes (a manifest) into the store under their known digest. */
async function putBytes(store: BlobWriter, bytes: Buffer, descriptor: Descriptor): Promise<void> {
  await store.put(Readable.from([bytes]), { digest: descriptor.digest, size: descriptor.size, mediaType: descriptor.mediaType });
}

/**
 * Pulls `repository:reference` (a tag or a digest) into `store`: resolves
 * the reference, picks the platform's manifest from an index, fetches the
 * config and the layers the store lacks, then stores the manifest (and the index).
 * @throws RegistryResponseError (e.g. `MANIFEST_UNKNOWN` 404, `UNAUTHORIZED` 401), NoMatchingPlatformError,
 *   ValidationError, DigestMismatchError or SizeMismatchError (the bad blob is not stored).
 */
export async function pull(
  http: RegistryHttp,
  repository: string,
  reference: string,
  store: BlobReader & BlobWriter,
  options: PullOptions = {},
): Promise<PullResult> {
  let top = await fetchManifest(http, repository, reference);
  let index: FetchedManifest | undefined;
  if (INDEX_TYPES.includes(top.descriptor.mediaType)) {
    index = top;
    const entry = selectManifest(validateIndex(top.json), options.platform ?? hostPlatform());
    top = await fetchManifest(http, repository, entry.digest, entry);
    if (entry.platform !== undefined) top.descriptor.platform = entry.platform;
    if (!MANIFEST_TYPES.includes(top.descriptor.mediaType)) {
      throw new ValidationError('mediaType', `the index entry for the platform is ${top.descriptor.mediaType}, not an image manifest`);
    }
  }
  const manifest = validateManifest(top.json);
  const { onProgress } = options;

  const present = new Set<string>();
  for (const layer of manifest.layers) {
    const has = await store.stat(layer.digest).then(() => true, () => false);
    if (has) present.add(layer.digest);
    emit(onProgress, { id: shortId(layer.digest), status: has ? 'Already exists' : 'Pulling fs layer' });
  }
  await fetchBlob(http, repository, manifest.config, store);
  for (const layer of manifest.layers) {
    if (present.has(layer.digest)) continue;
    present.add(layer.digest); // a layer listed twice is fetched once
    const id = shortId(layer.digest);
    if (await fetchBlob(http, repository, layer, store, onProgress)) {
      emit(onProgress, { id, status: 'Verifying Checksum' });
      emit(onProgress, { id, status: 'Download complete' });
    }
  }
  // Last: a manifest in the store promises that its blobs are there too.
  await putBytes(store, top.bytes, top.descriptor);
  if (index !== undefined) await putBytes(store, index.bytes, index.descriptor);
  const result: PullResult = { descriptor: top.descriptor, manifest, config: manifest.config, layers: manifest.layers };
  if (index !== undefined) result.index = index.descriptor;
  return result;
}
