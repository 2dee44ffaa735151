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
    return exists(this.#repo(name));
  }

  /**
   * The size of a blob of the repository, and the file to stream it from.
   * @throws RegistryError BLOB_UNKNOWN when the blob is not linked into `name` or is gone from the store.
   */
  async statBlob(name: string, digest: Digest): Promise<{ size: number; path: string }> {
    if (!(await exists(this.#blobLink(name, digest)))) throw blobUnknown(digest);
    try {
      const { size } = await this.blobs.stat(digest);
      return { size, path: this.blobs.blobPath(digest) };
    } catch {
      throw blobUnknown(digest);
    }
  }

  /** Links a blob (already in the store) into the repository: after a push or a mount. */
  async linkBlob(name: string, digest: Digest): Promise<void> {
    const link = this.#blobLink(name, digest);
    await fs.mkdir(path.dirname(link), { recursive: true });
    await writeFileAtomic(link, digest);
  }

  /**
   * Removes a blob from the repository. The shared copy stays for the other
   * repositories (reclaiming unreferenced blobs is a garbage collector's job).
   * @throws RegistryError BLOB_UNKNOWN when the repository does not hold it.
   */
  async unlinkBlob(name: string, digest: Digest): Promise<void> {
    try {
      await fs.unlink(this.#blobLink(name, digest));
    } catch {
      throw blobUnknown(digest);
    }
  }

  /** Whether the repository holds a manifest with this digest. */
  async hasManifest(name: string, digest: Digest): Promise<boolean> {
    return exists(this.#revision(name, digest));
  }

  /**
   * Stores a manifest's exact bytes, links it into the repository with its
   * media type and, for a tag reference, points the tag at it (replacing the
   * tag's old target). The caller has validated the manifest.
   * @returns the manifest's digest.
   */
  async putManifest(name: string, reference: ManifestReference, bytes: Buffer, mediaType: string): Promise<Digest> {
    const digest = digestOf(bytes);
    await this.blobs.put(Readable.from([bytes]), { digest });
    const revision = this.#revision(name, digest);
    await fs.mkdir(path.dirname(revision), { recursive: true });
    await writeFileAtomic(revision, JSON.stringify({ mediaType }));
    if (reference.tag !== undefined) {
      const tag = this.#tag(name, reference.tag);
      await fs.mkdir(path.dirname(tag), { recursive: true });
      await writeFileAtomic(tag, digest);
    }
    return digest;
  }

  /**
   * Finds a manifest by tag or digest.
   * @throws RegistryError NAME_UNKNOWN for a repository that does not exist,
   *   MANIFEST_UNKNOWN for an unknown tag or digest.
   */
  async getManifest(name: string, reference: ManifestReference): Promise<StoredManifest> {
    if (!(await this.repositoryExists(name))) throw nameUnknown(name);
    const digest = reference.digest ?? (await this.#resolveTag(name, reference.tag));
    let mediaType: string;
    try {
      ({ mediaType } = JSON.parse(await fs.readFile(this.#revision(name, digest), 'utf8')) as { mediaType: string });
      const { size } = await this.blobs.stat(digest);
      return { mediaType, digest, size, path: this.blobs.blobPath(digest) };
    } catch {
      throw manifestUnknown(reference.tag ?? digest);
    }
  }

  /**
   * Deletes by tag (only the tag goes) or by digest (the manifest and every
   * tag that points at it go).
   * @throws RegistryError NAME_UNKNOWN or MANIFEST_UNKNOWN as {@link getManifest}.
   */
  async deleteManifest(name: string, reference: ManifestReference): Promise<void> {
    if (!(await this.repositoryExists(name))) throw nameUnknown(name);
    if (reference.tag !== undefined) {
      await fs.unlink(this.#tag(name, reference.tag)).catch(() => {
        throw manifestUnknown(reference.tag);
      });
      return;
    }
    const digest = reference.digest;
    await fs.unlink(this.#revision(name, digest)).catch(() => {
      throw manifestUnknown(digest);
    });
    for (const tag of await this.tags(name)) {
      const target = await fs.readFile(this.#tag(name, tag), 'utf8').catch(() => '');
      if (target === digest) await fs.rm(this.#tag(name, tag), { force: true });
    }
  }

  /**
   * The repository's tags, sorted by code point (Go's sort.Strings).
   * @throws RegistryError NAME_UNKNOWN for a repository that does not exist.
   */
  async tags(name: string): Promise<string[]> {
    if (!(await this.repositoryExists(name))) throw nameUnknown(name);
    const names = await fs.readdir(path.join(this.#repo(name), '_manifests', 'tags')).catch(() => [] as string[]);
    // Temp files of writeFileAtomic start with a dot, which a tag cannot.
    return names.filter((t) => !t.startsWith('.')).sort(byCodePoint);
  }

  /** Every repository name, sorted: the directories under `repositories/` holding `_layers` or `_manifests`. */
  async repositories(): Promise<string[]> {
    const found: string[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
      if (entries.some((e) => e.name === '_layers' || e.name === '_manifests')) found.push(prefix);
      for (const e of entries) {
        if (e.isDirectory() && !e.name.startsWith('_')) await walk(path.join(dir, e.name), prefix === '' ? e.name : `${prefix}/${e.name}`);
      }
    };
    await walk(path.join(this.root, 'repositories'), '');
    return found.filter((n) => n !== '').sort(byCodePoint);
  }

  async #resolveTag(name: string, tag: string): Promise<Digest> {
    try {
      return (await fs.readFile(this.#tag(name, tag), 'utf8')) as Digest;
    } catch {
      throw manifestUnknown(tag);
    }
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
  return a < b ? -1 : a > b ? 1 : 0;
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
