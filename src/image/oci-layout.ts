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
import { NotImplementedError } from '../errors.js';
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
    // TODO(lesson-05): Create blobs/sha256/, then index.json and oci-layout when there is no layout yet; then open it.
    // HINT: Write the empty index ({schemaVersion: 2, mediaType: OCI_INDEX, manifests: []}) before the oci-layout marker.
    void dir;
    throw new NotImplementedError('lesson-05: OciLayout.init');
  }

  /**
   * Opens an existing layout.
   * @throws InvalidLayoutError when `oci-layout` is missing, unreadable, or names another version.
   */
  static async open(dir: string): Promise<OciLayout> {
    // TODO(lesson-05): Read oci-layout and check its imageLayoutVersion, then return new OciLayout(dir).
    void dir;
    throw new NotImplementedError('lesson-05: OciLayout.open');
  }

  /**
   * The parsed and validated `index.json`.
   * @throws InvalidLayoutError when it is missing or not JSON; ValidationError when it is not an index.
   */
  async index(): Promise<Index> {
    // TODO(lesson-05): Read index.json, parse it and validate it with validateIndex.
    throw new NotImplementedError('lesson-05: OciLayout.index');
  }

  /** Stores `JSON.stringify(value)` as a blob; returns its descriptor with `mediaType`. */
  async putJson(value: unknown, mediaType: string): Promise<Descriptor> {
    // TODO(lesson-05): Serialise with JSON.stringify and put the bytes into this.blobs with their digest and size.
    // HINT: Readable.from([bytes]) turns a Buffer into the stream put() reads.
    void value, mediaType;
    throw new NotImplementedError('lesson-05: OciLayout.putJson');
  }

  /**
   * Reads a JSON blob, verifying its size and digest against the descriptor, and parses it.
   * @throws BlobNotFoundError, SizeMismatchError, DigestMismatchError; Error when it is too
   *   large ({@link MAX_JSON_BLOB_SIZE}) or not JSON.
   */
  async readJson<T>(descriptor: Descriptor): Promise<T> {
    // TODO(lesson-05): Read the blob, never more than descriptor.size bytes, check size and digest, then JSON.parse.
    void descriptor;
    throw new NotImplementedError('lesson-05: OciLayout.readJson');
  }

  /**
   * Points `refName` at a manifest (or index) whose blob is in the layout: the
   * entry in index.json gets the ref-name annotation, an entry with the same
   * ref is replaced, and index.json is rewritten atomically.
   * @throws InvalidParameterError for a ref name outside the spec's grammar or a
   *   descriptor that is not a manifest or index; BlobNotFoundError when its blob is missing.
   */
  async tag(refName: string, manifest: Descriptor): Promise<void> {
    // TODO(lesson-05): Check the ref name and descriptor, then rewrite index.json with one entry for refName.
    // HINT: Keep the entries whose REF_NAME_ANNOTATION is another ref, add yours with the annotation, writeJson.
    // HINT: Chain the read-change-write on this.indexLock so two tags at once cannot lose one.
    void refName, manifest;
    throw new NotImplementedError('lesson-05: OciLayout.tag');
  }

  /**
   * The descriptor tagged `refName` in index.json.
   * @throws RefNotFoundError when no entry carries that ref name.
   */
  async resolve(refName: string): Promise<Descriptor> {
    // TODO(lesson-05): Find the index entry whose REF_NAME_ANNOTATION is refName, or throw RefNotFoundError.
    void refName;
    throw new NotImplementedError('lesson-05: OciLayout.resolve');
  }
}

function writeJson(file: string, value: unknown): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(value));
}
