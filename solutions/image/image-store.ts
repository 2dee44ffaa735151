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
    const key = normalize(name);
    validateDescriptor(target, 'target');
    if (!MANIFEST_TYPES.includes(target.mediaType) && !INDEX_TYPES.includes(target.mediaType)) {
      throw new InvalidParameterError(`an image must point at a manifest or index, not ${target.mediaType}`);
    }
    return this.change((records) => {
      const old = records.find((r) => r.name === key);
      const created = old?.target.digest === target.digest ? old.created : new Date().toISOString();
      const record: ImageRecord = { name: key, target, ...(created === undefined ? {} : { created }) };
      return [[...records.filter((r) => r.name !== key), record], record];
    });
  }

  /**
   * Removes the record `name` (normalised).
   * @returns the removed record.
   * @throws ImageNotFoundError when there is none; CorruptImageStoreError as {@link ImageStore.tag}.
   */
  async untag(name: string): Promise<ImageRecord> {
    const key = normalize(name);
    return this.change((records) => {
      const old = records.find((r) => r.name === key);
      if (old === undefined) throw new ImageNotFoundError(familiarString(parseReference(key)));
      return [records.filter((r) => r !== old), old];
    });
  }

  /**
   * The record `name` (normalised: `busybox` finds `docker.io/library/busybox:latest`).
   * @throws ImageNotFoundError when there is none; CorruptImageStoreError when images.json is unreadable.
   */
  async get(name: string): Promise<ImageRecord> {
    const key = normalize(name);
    const found = (await this.load()).find((r) => r.name === key);
    if (found === undefined) throw new ImageNotFoundError(familiarString(parseReference(key)));
    return found;
  }

  /**
   * Every record, sorted by name; empty when images.json does not exist yet.
   * @throws CorruptImageStoreError when images.json is unreadable.
   */
  async list(): Promise<ImageRecord[]> {
    return this.load();
  }

  private change<T>(edit: (records: ImageRecord[]) => [ImageRecord[], T]): Promise<T> {
    const result = this.lock.then(async () => {
      const [records, value] = edit(await this.load());
      records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      await fs.mkdir(this.root, { recursive: true });
      const data: StoreFile = { images: records };
      await writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`, 0o600);
      return value;
    });
    this.lock = result.catch(() => undefined);
    return result;
  }

  private async load(): Promise<ImageRecord[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new CorruptImageStoreError(this.file, 'not valid JSON');
    }
    const images = (data as Partial<StoreFile> | null)?.images;
    if (!Array.isArray(images)) throw new CorruptImageStoreError(this.file, 'no "images" list');
    return images.map((record: unknown, i) => {
      const r = record as Partial<ImageRecord> | null;
      if (typeof r?.name !== 'string') throw new CorruptImageStoreError(this.file, `images[${i}].name is not a string`);
      try {
        validateDescriptor(r.target, `images[${i}].target`);
      } catch (err) {
        throw new CorruptImageStoreError(this.file, (err as Error).message);
      }
      return r as ImageRecord;
    });
  }
}
