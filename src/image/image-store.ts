/**
 * Image records: which manifest each image name points at, like the tags
 * `docker images` lists. The blobs themselves live in the content store.
 *
 * ```
 * <root>/
 * └── images.json     {"images":[{"name":"docker.io/library/busybox:latest",
 *                                 "target":{"mediaType":…,"digest":"sha256:…","size":…},
 *                                 "created":"2025-01-01T00:00:00.000Z"}, …]}
 * ```
 * Names are stored normalised, so `busybox` and `docker.io/library/busybox:latest`
 * are one record. Every change rewrites images.json atomically (temp file,
 * fsync, rename): after a crash it holds the state before or after the
 * change, never a mix. A file that cannot be read is reported, never replaced.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { InvalidParameterError, NotFoundError, SystemError } from '../errdefs.js';
import { NotImplementedError } from '../errors.js';
import { writeFileAtomic } from '../atomic-file.js';
import { INDEX_TYPES, MANIFEST_TYPES } from './media-types.js';
import { familiarString, normalize, parseReference } from './reference.js';
import type { Descriptor } from './types.js';
import { validateDescriptor } from './validate.js';

/** One image name and the manifest (or index) it points at. */
export interface ImageRecord {
  /** The normalised reference: `docker.io/library/busybox:latest`. */
  name: string;
  /** The manifest or index descriptor. */
  target: Descriptor;
  /** When the name was first pointed at this target (RFC 3339). */
  created?: string;
}

/** No image record has this name. */
export class ImageNotFoundError extends NotFoundError {
  constructor(
    /** The name as looked up. */
    readonly image: string,
  ) {
    super(`No such image: ${image}`);
  }
}

/** images.json exists but cannot be used; it is left untouched for a human to inspect. */
export class CorruptImageStoreError extends SystemError {
  constructor(
    /** The path of images.json. */
    readonly file: string,
    reason: string,
  ) {
    super(`image store ${file} is corrupt (${reason}); it was left as it is`);
  }
}

/** The on-disk form of images.json. */
interface StoreFile {
  images: ImageRecord[];
}

/** Image records persisted in `<root>/images.json`. */
export class ImageStore {
  /** The store's directory. */
  readonly root: string;
  /** `<root>/images.json`. */
  readonly file: string;
  // Each change reads, edits and rewrites the file: one at a time per store object.
  private lock: Promise<unknown> = Promise.resolve();

  /** @param root the store's directory; created on the first {@link ImageStore.tag}. */
  constructor(root: string) {
    this.root = root;
    this.file = path.join(root, 'images.json');
  }

  /**
   * Points `name` (normalised) at `target`, replacing what it pointed at.
   * `created` is kept when the target is unchanged and set to now otherwise.
   * @returns the stored record.
   * @throws InvalidReferenceError for a bad name; InvalidParameterError for a target that is
   *   not a manifest or index descriptor; CorruptImageStoreError when images.json is unreadable.
   */
  async tag(name: string, target: Descriptor): Promise<ImageRecord> {
    // TODO(lesson-05): Normalise the name, check the target, and set the record inside this.change().
    // HINT: Keep `created` when the digest is unchanged, else new Date().toISOString().
    void name, target;
    throw new NotImplementedError('lesson-05: ImageStore.tag');
  }

  /**
   * Removes the record `name` (normalised).
   * @returns the removed record.
   * @throws ImageNotFoundError when there is none; CorruptImageStoreError as {@link ImageStore.tag}.
   */
  async untag(name: string): Promise<ImageRecord> {
    // TODO(lesson-05): Remove the normalised name's record inside this.change(), or throw ImageNotFoundError.
    void name;
    throw new NotImplementedError('lesson-05: ImageStore.untag');
  }

  /**
   * The record `name` (normalised: `busybox` finds `docker.io/library/busybox:latest`).
   * @throws ImageNotFoundError when there is none; CorruptImageStoreError when images.json is unreadable.
   */
  async get(name: string): Promise<ImageRecord> {
    // TODO(lesson-05): Look the normalised name up in the loaded records, or throw ImageNotFoundError.
    // HINT: docker's message names the familiar form: `No such image: busybox:latest`.
    void name;
    throw new NotImplementedError('lesson-05: ImageStore.get');
  }

  /**
   * Every record, sorted by name; empty when images.json does not exist yet.
   * @throws CorruptImageStoreError when images.json is unreadable.
   */
  async list(): Promise<ImageRecord[]> {
    return this.load();
  }

  private change<T>(edit: (records: ImageRecord[]) => [ImageRecord[], T]): Promise<T> {
    // TODO(lesson-05): On this.lock: load, edit, sort by name, and write images.json atomically; resolve with the value.
    // HINT: writeFileAtomic(this.file, …, 0o600) after fs.mkdir(this.root, { recursive: true }).
    void edit;
    throw new NotImplementedError('lesson-05: ImageStore.change');
  }

  private async load(): Promise<ImageRecord[]> {
    // TODO(lesson-05): Read and check images.json: missing means no records; anything unusable is a CorruptImageStoreError.
    throw new NotImplementedError('lesson-05: ImageStore.load');
  }
}
