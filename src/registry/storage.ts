/**
 * Repositories on top of lesson 04's content store: one shared blob store, so
 * a layer pushed to ten repositories is stored once, plus per-repository links
 * that say which blobs and manifests each repository holds.
 *
 * ```
 * <root>/
 * ├── blobs/sha256/<hex>                 every blob and manifest, once (FsBlobStore)
 * ├── ingest/                            FsBlobStore's writes in progress
 * ├── uploads/<uuid>/…                   upload sessions (uploads.ts)
 * └── repositories/<name>/               <name> may have several components: library/busybox
 *     ├── _layers/<hex>                  link: the blob is in this repository (content: the digest)
 *     └── _manifests/
 *         ├── revisions/<hex>            link: the manifest is here (content: {"mediaType": …})
 *         └── tags/<tag>                 the tag's manifest digest
 * ```
 * A blob "exists in repository X" only once it was pushed or mounted there.
 * Every link is written with writeFileAtomic, so a killed registry leaves
 * either the old link or the new one. Names and tags are checked by names.ts
 * before they become paths; `_layers` and `_manifests` cannot be name
 * components, since those start with `[a-z0-9]`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { FsBlobStore } from '../image/blob-store.js';
import { digestHex, digestOf } from '../image/digest.js';
import type { Digest } from '../image/digest.js';
import { writeFileAtomic } from '../atomic-file.js';
import { NotImplementedError } from '../errors.js';
import { RegistryError } from './errors.js';
import type { ManifestReference } from './names.js';

/** A stored manifest: its media type, digest and size, and where its exact bytes are. */
export interface StoredManifest {
  mediaType: string;
  digest: Digest;
  size: number;
  /** The file holding the bytes, as they were pushed. */
  path: string;
}

/** The registry's storage: repositories, their blob links, manifests and tags. */
export class RegistryStorage {
  /** The shared content store under `<root>`. */
  readonly blobs: FsBlobStore;

  constructor(readonly root: string) {
    this.blobs = new FsBlobStore(root);
  }

  /** Whether the repository has ever received a blob or a manifest. */
  async repositoryExists(name: string): Promise<boolean> {
    // TODO(lesson-07): Say whether the repository's directory exists.
    throw new NotImplementedError('lesson-07: RegistryStorage.repositoryExists');
  }

  /**
   * The size of a blob of the repository, and the file to stream it from.
   * @throws RegistryError BLOB_UNKNOWN when the blob is not linked into `name` or is gone from the store.
   */
  async statBlob(name: string, digest: Digest): Promise<{ size: number; path: string }> {
    // TODO(lesson-07): Check the repository's link to the blob, then stat it in the shared store; throw BLOB_UNKNOWN when either is missing.
    // HINT: return { size, path: this.blobs.blobPath(digest) } so the route can stream (and slice) the file.
    throw new NotImplementedError('lesson-07: RegistryStorage.statBlob');
  }

  /** Links a blob (already in the store) into the repository: after a push or a mount. */
  async linkBlob(name: string, digest: Digest): Promise<void> {
    // TODO(lesson-07): Create the link file `_layers/<hex>` (parent directories first) with writeFileAtomic.
    throw new NotImplementedError('lesson-07: RegistryStorage.linkBlob');
  }

  /**
   * Removes a blob from the repository. The shared copy stays for the other
   * repositories (reclaiming unreferenced blobs is a garbage collector's job).
   * @throws RegistryError BLOB_UNKNOWN when the repository does not hold it.
   */
  async unlinkBlob(name: string, digest: Digest): Promise<void> {
    // TODO(lesson-07): Remove the repository's link to the blob (not the shared blob); a missing link is BLOB_UNKNOWN.
    throw new NotImplementedError('lesson-07: RegistryStorage.unlinkBlob');
  }

  /** Whether the repository holds a manifest with this digest. */
  async hasManifest(name: string, digest: Digest): Promise<boolean> {
    // TODO(lesson-07): Say whether the repository has the revision link of this manifest digest.
    throw new NotImplementedError('lesson-07: RegistryStorage.hasManifest');
  }

  /**
   * Stores a manifest's exact bytes, links it into the repository with its
   * media type and, for a tag reference, points the tag at it (replacing the
   * tag's old target). The caller has validated the manifest.
   * @returns the manifest's digest.
   */
  async putManifest(name: string, reference: ManifestReference, bytes: Buffer, mediaType: string): Promise<Digest> {
    // TODO(lesson-07): Store the exact bytes in the shared store, write the revision link with the media type, and for a tag write the tag file; return the digest.
    // HINT: this.blobs.put(Readable.from([bytes]), { digest: digestOf(bytes) }) stores the bytes untouched.
    // HINT: every link and tag file goes through writeFileAtomic: a killed registry leaves the old file or the new one.
    throw new NotImplementedError('lesson-07: RegistryStorage.putManifest');
  }

  /**
   * Finds a manifest by tag or digest.
   * @throws RegistryError NAME_UNKNOWN for a repository that does not exist,
   *   MANIFEST_UNKNOWN for an unknown tag or digest.
   */
  async getManifest(name: string, reference: ManifestReference): Promise<StoredManifest> {
    // TODO(lesson-07): Resolve a tag to its digest, read the revision link's media type and stat the bytes; NAME_UNKNOWN for a missing repository, MANIFEST_UNKNOWN otherwise.
    throw new NotImplementedError('lesson-07: RegistryStorage.getManifest');
  }

  /**
   * Deletes by tag (only the tag goes) or by digest (the manifest and every
   * tag that points at it go).
   * @throws RegistryError NAME_UNKNOWN or MANIFEST_UNKNOWN as {@link getManifest}.
   */
  async deleteManifest(name: string, reference: ManifestReference): Promise<void> {
    // TODO(lesson-07): By tag remove only the tag file; by digest remove the revision link and every tag whose file holds that digest.
    throw new NotImplementedError('lesson-07: RegistryStorage.deleteManifest');
  }

  /**
   * The repository's tags, sorted by code point (Go's sort.Strings).
   * @throws RegistryError NAME_UNKNOWN for a repository that does not exist.
   */
  async tags(name: string): Promise<string[]> {
    // TODO(lesson-07): List `_manifests/tags`, skip dot files (writeFileAtomic's temp files), sort with byCodePoint; NAME_UNKNOWN for a missing repository.
    throw new NotImplementedError('lesson-07: RegistryStorage.tags');
  }

  /** Every repository name, sorted: the directories under `repositories/` holding `_layers` or `_manifests`. */
  async repositories(): Promise<string[]> {
    // TODO(lesson-07): Walk `repositories/` and return, sorted, every directory path that holds `_layers` or `_manifests`.
    // HINT: names nest (library/busybox): recurse into sub-directories that do not start with "_".
    throw new NotImplementedError('lesson-07: RegistryStorage.repositories');
  }

  async #resolveTag(name: string, tag: string): Promise<Digest> {
    // TODO(lesson-07): Read the tag file; a missing one is MANIFEST_UNKNOWN.
    throw new NotImplementedError('lesson-07: RegistryStorage.resolveTag');
  }

  #repo(name: string): string {
    return path.join(this.root, 'repositories', ...name.split('/'));
  }

  #blobLink(name: string, digest: Digest): string {
    return path.join(this.#repo(name), '_layers', digestHex(digest));
  }

  #revision(name: string, digest: Digest): string {
    return path.join(this.#repo(name), '_manifests', 'revisions', digestHex(digest));
  }

  #tag(name: string, tag: string): string {
    return path.join(this.#repo(name), '_manifests', 'tags', tag);
  }
}

/** Go's sort.Strings order: by UTF-16 code unit, which for tags (ASCII) is byte order. */
export function byCodePoint(a: string, b: string): number {
  // TODO(lesson-07): Compare with < and > (not localeCompare): Go's sort.Strings puts "Z" before "a".
  throw new NotImplementedError('lesson-07: byCodePoint');
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

const blobUnknown = (digest: Digest) => new RegistryError('BLOB_UNKNOWN', `blob ${digest} unknown to registry`, { detail: { digest } });
const manifestUnknown = (reference: string) =>
  new RegistryError('MANIFEST_UNKNOWN', `manifest ${reference} unknown to registry`, { detail: { reference } });
const nameUnknown = (name: string) => new RegistryError('NAME_UNKNOWN', `repository ${name} not known to registry`, { detail: { name } });
