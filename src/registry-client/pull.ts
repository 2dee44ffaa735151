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
import { NotImplementedError } from '../errors.js';
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
  // TODO(lesson-08): GET /v2/<repository>/manifests/<reference> with Accept: MANIFEST_ACCEPT, check the bytes' digest and size, then parse them.
  // HINT: A Content-Length above MAX_MANIFEST_SIZE: cancel the body and refuse with a ValidationError before reading it.
  // HINT: The digest to match: expected?.digest, else the reference when isDigest(reference), else the Docker-Content-Digest header.
  // HINT: digestOf(bytes) first, JSON.parse after: nothing unverified is parsed. Mismatches: DigestMismatchError, SizeMismatchError.
  // HINT: The media type: the Content-Type header (without ;params) when it is a manifest or index type, else the JSON's mediaType.
  void http, repository, reference, expected;
  throw new NotImplementedError('lesson-08: fetchManifest');
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
  // TODO(lesson-08): Unless store.stat finds the blob, stream GET /v2/<repository>/blobs/<digest> into store.put({digest, size, mediaType}).
  // HINT: Wrap response.body in an async generator that counts bytes, emits 'Downloading' {current, total} to progress,
  // HINT: and turns a body that breaks off into new SizeMismatchError(blob.size, received).
  // HINT: A short read (isShortRead) is fetched again, up to http.retry.attempts, after sleep(http.backoff(attempt)).
  void http, repository, blob, store, progress;
  throw new NotImplementedError('lesson-08: fetchBlob');
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
  // TODO(lesson-08): Resolve the reference, pick the platform's manifest from an index, fetch config and layers, store the manifest (and index) last.
  // HINT: fetchManifest; INDEX_TYPES.includes(mediaType) → selectManifest(validateIndex(json), options.platform ?? hostPlatform()), fetchManifest(entry.digest, entry).
  // HINT: validateManifest(json); per layer emit 'Already exists' (store.stat finds it) or 'Pulling fs layer'.
  // HINT: fetchBlob the config, then each missing layer (with onProgress), then emit 'Verifying Checksum' and 'Download complete'.
  // HINT: putBytes(store, bytes, descriptor) for the manifest, then the index; return { descriptor, index?, manifest, config, layers }.
  void http, repository, reference, store, options;
  throw new NotImplementedError('lesson-08: pull');
}
