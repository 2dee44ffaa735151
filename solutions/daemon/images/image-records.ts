/**
 * Provided: what the images service works with that teaches nothing new — the
 * shapes it answers with, reading a JSON blob, the names docker lists for an
 * image, and a registry failure worded as docker words it.
 */
import { EngineError, NotFoundError, SystemError } from '../../errdefs.js';
import type { BlobReader } from '../../image/blob-store.js';
import type { Digest } from '../../image/digest.js';
import type { ImageRecord } from '../../image/image-store.js';
import { familiarName, familiarString, parseReference } from '../../image/reference.js';
import type { Descriptor, Image, Manifest } from '../../image/types.js';
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
