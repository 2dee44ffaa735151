/**
 * Provided: what the images service works with that teaches nothing new — the
 * shapes it answers with, reading a JSON blob, the names docker lists for an
 * image, and a registry failure worded as docker words it.
 *
 * A failed pull, as dockerd words it (moby `distribution/errors.go`,
 * translatePullError and notFoundError), both a 404 before any progress line:
 *
 * ```
 * the repository does not exist     pull access denied for busybox2, repository does not exist or may require 'docker login': <cause>
 * it exists, without that tag       manifest for busybox:nope not found: manifest unknown: <registry's message>
 * ```
 * Registries differ in how they say the first: ours answers `NAME_UNKNOWN`,
 * Docker Hub `UNAUTHORIZED`/`DENIED` (it will not say whether a private
 * repository exists), Debian's docker-registry (distribution 2.8)
 * `MANIFEST_UNKNOWN` as for a missing tag. So a `MANIFEST_UNKNOWN` is checked
 * against the repository's tag list: `NAME_UNKNOWN` there, or no tag at all,
 * means there is no repository.
 */
import { EngineError, NotFoundError, SystemError } from '../../errdefs.js';
import type { BlobReader } from '../../image/blob-store.js';
import type { Digest } from '../../image/digest.js';
import type { ImageRecord } from '../../image/image-store.js';
import { familiarName, familiarString, parseReference } from '../../image/reference.js';
import type { Reference } from '../../image/reference.js';
import type { Descriptor, Image, Manifest } from '../../image/types.js';
import { repositoryScope } from '../../registry-client/auth.js';
import type { RegistryClient } from '../../registry-client/client.js';
import { RegistryResponseError } from '../../registry-client/errors.js';

/** A local image as a name resolves to it. */
export interface ResolvedImage {
  /** The image ID: the config digest. */
  id: Digest;
  /** The manifest descriptor the records point at. */
  target: Descriptor;
  manifest: Manifest;
  config: Image;
  /** Every record pointing at this image (all its names). */
  records: ImageRecord[];
}

/** What a pull did. */
export interface PullOutcome {
  /** The normalised reference pulled: `docker.io/library/busybox:latest`. */
  reference: string;
  /** The manifest's digest. */
  digest: Digest;
  /** False when the name already pointed at this manifest ("Image is up to date"). */
  changed: boolean;
  /** The layers' descriptors, bottom first. */
  layers: Descriptor[];
}

/** Where a reference is pulled from or pushed to. */
export interface RegistryTarget {
  /** `host[:port]`. */
  registry: string;
  /** Plain HTTP. */
  insecure: boolean;
}

/** `sha256:` + 1 to 64 hex digits, or the hex digits alone: what may be an image ID prefix. */
export const ID_PREFIX = /^(?:sha256:)?[0-9a-f]{1,64}$/;

/** Reads the JSON blob `digest` (a manifest, a config) whole: such blobs are small and capped. */
export async function readJsonBlob<T>(blobs: BlobReader, digest: Digest): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const chunk of await blobs.get(digest)) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

/** The manifest a record points at. */
export function readManifest(blobs: BlobReader, target: Descriptor): Promise<Manifest> {
  return readJsonBlob<Manifest>(blobs, target.digest);
}

/** `busybox:latest`, `127.0.0.1:5000/x:latest`: every name of the image, familiar, sorted. */
export function repoTags(image: ResolvedImage): string[] {
  return image.records.map((r) => familiarString(parseReference(r.name))).sort();
}

/** `busybox@sha256:<manifest>` once per repository. */
export function repoDigests(image: ResolvedImage): string[] {
  return [...new Set(image.records.map((r) => `${familiarName(parseReference(r.name))}@${r.target.digest}`))].sort();
}

/** The sum of the layers' sizes. */
export function imageSize(image: ResolvedImage): number {
  return image.manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
}

/** A registry failure as the Engine API error docker shows: a missing manifest is a 404. */
export function engineErrorFor(err: unknown, name: string): Error {
  if (err instanceof RegistryResponseError && (err.code === 'MANIFEST_UNKNOWN' || err.code === 'NAME_UNKNOWN' || err.status === 404)) {
    return new NotFoundError(`manifest for ${name} not found: manifest unknown: ${err.message}`);
  }
  if (err instanceof RegistryResponseError) return new SystemError(`${name}: ${err.message}`);
  if (err instanceof EngineError) return err;
  return new SystemError(`${name}: ${err instanceof Error ? err.message : String(err)}`);
}

/** The codes with which a registry says a repository is not there for us: missing, or not ours to pull. */
const NO_REPOSITORY = new Set(['NAME_UNKNOWN', 'DENIED', 'UNAUTHORIZED']);

/** distribution's message for a code, when a registry sent none. */
const DEFAULT_MESSAGES: Record<string, string> = {
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  NAME_UNKNOWN: 'repository name not known to registry',
  MANIFEST_UNKNOWN: 'manifest unknown',
};

/**
 * A registry error as distribution's errcode prints it, `<code in words>: <message>`:
 * `manifest unknown: manifest unknown`, `name unknown: repository name not known to registry`.
 * A 404 without an error body counts as `MANIFEST_UNKNOWN`.
 */
export function registryErrorText(err: RegistryResponseError): string {
  const code = err.code === 'UNKNOWN' && err.status === 404 ? 'MANIFEST_UNKNOWN' : err.code;
  const message = err.errors[0]?.message || DEFAULT_MESSAGES[code] || err.message;
  return `${code.toLowerCase().replaceAll('_', ' ')}: ${message}`;
}

/**
 * A failed pull of `ref` from the registry `client` talks to, as the Engine
 * API error dockerd answers with (see the top of this file): a repository that
 * does not exist → NotFoundError `pull access denied for <familiar name>, …`;
 * an existing one without the tag or digest → NotFoundError `manifest for
 * <familiar name:tag> not found: …`; any other failure as {@link engineErrorFor}.
 * After a `MANIFEST_UNKNOWN` it asks the registry for the repository's tags.
 */
export async function pullErrorFor(err: unknown, ref: Reference, client: RegistryClient): Promise<Error> {
  if (!(err instanceof RegistryResponseError)) return engineErrorFor(err, familiarString(ref));
  if (NO_REPOSITORY.has(err.code)) return pullAccessDenied(ref, err);
  if (err.code === 'MANIFEST_UNKNOWN' || (err.code === 'UNKNOWN' && err.status === 404)) {
    const missing = await missingRepository(client, ref.path, err);
    if (missing !== undefined) return pullAccessDenied(ref, missing);
    return new NotFoundError(`manifest for ${familiarString(ref)} not found: ${registryErrorText(err)}`);
  }
  return engineErrorFor(err, familiarString(ref));
}

function pullAccessDenied(ref: Reference, cause: RegistryResponseError): NotFoundError {
  return new NotFoundError(
    `pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${registryErrorText(cause)}`,
  );
}

/**
 * Whether `repository` is missing, asked of its tag list: the registry's
 * `NAME_UNKNOWN` when it says so, `manifestError` when the repository has no
 * tag at all, undefined when it has tags or the registry would not tell.
 */
async function missingRepository(client: RegistryClient, repository: string, manifestError: RegistryResponseError): Promise<RegistryResponseError | undefined> {
  try {
    const response = await client.http.request({ path: `/v2/${repository}/tags/list?n=1`, scope: repositoryScope(repository, ['pull']) });
    const body = (await response.json()) as { tags?: unknown } | null;
    return Array.isArray(body?.tags) && body.tags.length > 0 ? undefined : manifestError;
  } catch (probe) {
    return probe instanceof RegistryResponseError && probe.code === 'NAME_UNKNOWN' ? probe : undefined;
  }
}
