/**
 * The OCI image layout: images as plain files in a directory, readable by
 * skopeo (`oci:DIR:TAG`), umoci, buildah and podman.
 *
 * ```
 * <dir>/
 * ├── oci-layout          {"imageLayoutVersion":"1.0.0"}: marks the directory as a layout
 * ├── index.json          an Index; each entry's org.opencontainers.image.ref.name is its tag
 * └── blobs/
 *     └── sha256/
 *         └── <64 hex>    manifests, configs and layers, named by digest
 * ```
 * `index.json` is replaced atomically (temp file, fsync, rename), so a reader
 * never sees half of it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { InvalidParameterError, NotFoundError } from '../errdefs.js';
import { writeFileAtomic } from '../atomic-file.js';
import { FsBlobStore } from './blob-store.js';
import { digestOf } from './digest.js';
import { DigestMismatchError, SizeMismatchError } from './errors.js';
import { INDEX_TYPES, MANIFEST_TYPES, OCI_INDEX } from './media-types.js';
import { REF_NAME_ANNOTATION } from './types.js';
import type { Descriptor, Index } from './types.js';
import { validateDescriptor, validateIndex } from './validate.js';

/** The layout version this module reads and writes. */
export const IMAGE_LAYOUT_VERSION = '1.0.0';

/** The largest JSON blob {@link OciLayout.readJson} reads (manifests are small; docker caps them at 4 MiB). */
export const MAX_JSON_BLOB_SIZE = 4 * 1024 * 1024;

/** A directory that is not a usable OCI image layout. */
export class InvalidLayoutError extends Error {
  constructor(
    /** The layout directory. */
    readonly dir: string,
    reason: string,
  ) {
    super(`${dir} is not a valid OCI image layout: ${reason}`);
    this.name = 'InvalidLayoutError';
  }
}

/** No manifest in the layout's index.json carries this ref name. */
export class RefNotFoundError extends NotFoundError {
  constructor(
    /** The ref name looked up. */
    readonly ref: string,
    /** The layout directory. */
    readonly dir: string,
  ) {
    super(`ref "${ref}" not found in OCI image layout ${dir}`);
  }
}

// The image-layout spec's grammar of org.opencontainers.image.ref.name.
const REF_NAME = /^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:\/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$/;

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** An OCI image layout directory. */
export class OciLayout {
  /** The layout's directory. */
  readonly dir: string;
  /** The layout's blobs: `<dir>/blobs/sha256/<hex>`. */
  readonly blobs: FsBlobStore;
  // index.json is read, changed and written back: one change at a time per layout object.
  private indexLock: Promise<unknown> = Promise.resolve();

  private constructor(dir: string) {
    this.dir = dir;
    this.blobs = new FsBlobStore(dir);
  }

  /**
   * Opens the layout in `dir`, creating the directory, `oci-layout`, an empty
   * `index.json` and `blobs/sha256/` when there is no layout yet.
   * @throws InvalidLayoutError when `dir` holds a layout of another version.
   */
  static async init(dir: string): Promise<OciLayout> {
    await fs.mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    const marker = path.join(dir, 'oci-layout');
    const exists = await fs.stat(marker).then(() => true, (err: unknown) => (isMissing(err) ? false : Promise.reject(err)));
    if (!exists) {
      const index = path.join(dir, 'index.json');
      const hasIndex = await fs.stat(index).then(() => true, () => false);
      if (!hasIndex) await writeJson(index, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
      // The marker last: a crash before it leaves a directory that init simply completes.
      await writeJson(marker, { imageLayoutVersion: IMAGE_LAYOUT_VERSION });
    }
    return OciLayout.open(dir);
  }

  /**
   * Opens an existing layout.
   * @throws InvalidLayoutError when `oci-layout` is missing, unreadable, or names another version.
   */
  static async open(dir: string): Promise<OciLayout> {
    let text: string;
    try {
      text = await fs.readFile(path.join(dir, 'oci-layout'), 'utf8');
    } catch (err) {
      if (isMissing(err)) throw new InvalidLayoutError(dir, 'the oci-layout file is missing');
      throw err;
    }
    let version: unknown;
    try {
      version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch {
      throw new InvalidLayoutError(dir, 'oci-layout is not valid JSON');
    }
    if (version !== IMAGE_LAYOUT_VERSION) {
      throw new InvalidLayoutError(dir, `imageLayoutVersion is ${JSON.stringify(version)}, expected "${IMAGE_LAYOUT_VERSION}"`);
    }
    return new OciLayout(dir);
  }

  /**
   * The parsed and validated `index.json`.
   * @throws InvalidLayoutError when it is missing or not JSON; ValidationError when it is not an index.
   */
  async index(): Promise<Index> {
    let text: string;
    try {
      text = await fs.readFile(path.join(this.dir, 'index.json'), 'utf8');
    } catch (err) {
      if (isMissing(err)) throw new InvalidLayoutError(this.dir, 'index.json is missing');
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new InvalidLayoutError(this.dir, 'index.json is not valid JSON');
    }
    return validateIndex(json);
  }

  /** Stores `JSON.stringify(value)` as a blob; returns its descriptor with `mediaType`. */
  async putJson(value: unknown, mediaType: string): Promise<Descriptor> {
    const bytes = Buffer.from(JSON.stringify(value));
    const digest = digestOf(bytes);
    await this.blobs.put(Readable.from([bytes]), { digest, size: bytes.length, mediaType });
    return { mediaType, digest, size: bytes.length };
  }

  /**
   * Reads a JSON blob, verifying its size and digest against the descriptor, and parses it.
   * @throws BlobNotFoundError, SizeMismatchError, DigestMismatchError; Error when it is too
   *   large ({@link MAX_JSON_BLOB_SIZE}) or not JSON.
   */
  async readJson<T>(descriptor: Descriptor): Promise<T> {
    const { digest, size } = descriptor;
    if (size > MAX_JSON_BLOB_SIZE) throw new Error(`blob ${digest} is ${size} bytes, too large for a JSON document`);
    const stream = await this.blobs.get(digest);
    const chunks: Buffer[] = [];
    let read = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      read += chunk.length;
      if (read > size) {
        stream.destroy(); // never read more than the descriptor promised
        throw new SizeMismatchError(size, read);
      }
      chunks.push(chunk);
    }
    if (read !== size) throw new SizeMismatchError(size, read);
    const bytes = Buffer.concat(chunks, read);
    const actual = digestOf(bytes);
    if (actual !== digest) throw new DigestMismatchError(digest, actual);
    try {
      return JSON.parse(bytes.toString('utf8')) as T;
    } catch {
      throw new Error(`blob ${digest} is not valid JSON`);
    }
  }

  /**
   * Points `refName` at a manifest (or index) whose blob is in the layout: the
   * entry in index.json gets the ref-name annotation, an entry with the same
   * ref is replaced, and index.json is rewritten atomically.
   * @throws InvalidParameterError for a ref name outside the spec's grammar or a
   *   descriptor that is not a manifest or index; BlobNotFoundError when its blob is missing.
   */
  async tag(refName: string, manifest: Descriptor): Promise<void> {
    if (!REF_NAME.test(refName)) throw new InvalidParameterError(`invalid ref name "${refName}" for an OCI image layout`);
    const target = validateDescriptor(manifest, 'manifest');
    if (!MANIFEST_TYPES.includes(target.mediaType) && !INDEX_TYPES.includes(target.mediaType)) {
      throw new InvalidParameterError(`cannot tag a ${target.mediaType}: only manifests and indexes can be tagged`);
    }
    await this.blobs.stat(target.digest);
    const change = this.indexLock.then(async () => {
      const index = await this.index();
      const others = index.manifests.filter((d) => d.annotations?.[REF_NAME_ANNOTATION] !== refName);
      const entry: Descriptor = { ...target, annotations: { ...target.annotations, [REF_NAME_ANNOTATION]: refName } };
      await writeJson(path.join(this.dir, 'index.json'), { ...index, manifests: [...others, entry] });
    });
    this.indexLock = change.catch(() => undefined);
    await change;
  }

  /**
   * The descriptor tagged `refName` in index.json.
   * @throws RefNotFoundError when no entry carries that ref name.
   */
  async resolve(refName: string): Promise<Descriptor> {
    const index = await this.index();
    const found = index.manifests.find((d) => d.annotations?.[REF_NAME_ANNOTATION] === refName);
    if (found === undefined) throw new RefNotFoundError(refName, this.dir);
    return found;
  }
}

function writeJson(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(value));
}
