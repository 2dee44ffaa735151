/**
 * The daemon's images: what `/images/*` answers, on top of lesson 04's content
 * store, lesson 05's image records and lesson 08's registry client.
 *
 * ```
 * <data root>/content/blobs/sha256/…   every manifest, config and layer (FsBlobStore)
 * <data root>/images/images.json       name → manifest descriptor (ImageStore)
 * ```
 * An image's ID is its config's digest, as in docker: two names pointing at
 * the same config are one image with two RepoTags. Docker Hub (`docker.io`)
 * names are pulled from the configured registry mirrors, like dockerd's
 * `registry-mirrors`; every other registry is asked directly (plain HTTP for
 * loopback ones).
 */
import { ConflictError, InvalidParameterError, NotFoundError, SystemError } from '../../errdefs.js';
import type { ImageDeleteResponseItem, ImageInspect, ImageSummary } from '../../api/types.js';
import { NotImplementedError } from '../../errors.js';
import type { FsBlobStore } from '../../image/blob-store.js';
import type { ImageStore } from '../../image/image-store.js';
import type { ImageRecord } from '../../image/image-store.js';
import { DEFAULT_DOMAIN, familiarName, familiarString, formatReference, parseReference } from '../../image/reference.js';
import type { Reference } from '../../image/reference.js';
import type { Descriptor, Image } from '../../image/types.js';
import type { AuthConfig } from '../../registry-client/auth.js';
import { RegistryClient } from '../../registry-client/client.js';
import type { ProgressListener } from '../../registry-client/progress.js';
import { ID_PREFIX, engineErrorFor, imageSize, pullErrorFor, readJsonBlob, readManifest, repoDigests, repoTags } from './image-records.js';
import type { PullOutcome, RegistryTarget, ResolvedImage } from './image-records.js';

/** What {@link ImageService} is built from: the composition root makes each store once. */
export interface ImageServiceOptions {
  /** Every manifest, config and layer: `<data root>/content`. */
  blobs: FsBlobStore;
  /** Name → manifest records: `<data root>/images`. */
  images: ImageStore;
  /** Registry mirrors for `docker.io` names, e.g. `http://127.0.0.1:5000`, tried in order. */
  mirrors?: string[];
}

/** The daemon's image backend: the composition root hands it to the images routes (ImagesBackend) and to the containers service (ImageSource). */
export class ImageService {
  readonly blobs: FsBlobStore;
  readonly images: ImageStore;
  readonly mirrors: string[];

  constructor(options: ImageServiceOptions) {
    this.blobs = options.blobs;
    this.images = options.images;
    this.mirrors = options.mirrors ?? [];
  }

  /**
   * The registries to try for `ref`: the mirrors for `docker.io`, the
   * reference's own domain otherwise (plain HTTP for a `http://` mirror).
   * @throws SystemError when a `docker.io` name is asked for and no mirror is configured.
   */
  registriesFor(ref: Reference): RegistryTarget[] {
    // TODO(lesson-09): Map docker.io names to the configured mirrors and every other domain to itself.
    // HINT: docker.io without mirrors: throw a SystemError telling to start minidockerd with --registry-mirror.
    // HINT: a mirror is a URL: new URL(mirror).host is the registry, protocol http: means insecure.
    throw new NotImplementedError('lesson-09: ImageService.registriesFor');
  }

  /**
   * Pulls `fromImage` at `tag` (a tag or a `sha256:` digest; the name's own tag,
   * or `latest`, when empty) into the stores and points the name at its manifest.
   * @throws NotFoundError in docker's words when the registry has no such repository
   *   (`pull access denied for <name>, repository does not exist …`) or no such tag
   *   (`manifest for <name:tag> not found: …`); InvalidParameterError for a bad name;
   *   SystemError for other registry failures.
   */
  async pull(fromImage: string, tag: string | undefined, auth: AuthConfig | undefined, onProgress?: ProgressListener): Promise<PullOutcome> {
    // TODO(lesson-09): Pull the reference from its registry into this.blobs, then point its normalised name at the manifest.
    // HINT: tag may be a digest (sha256:…): join with '@', else with ':'; parseReference + formatReference normalise.
    // HINT: try each of registriesFor(ref) with a RegistryClient (auth only for non-docker.io names): client.pull(ref.path, …).
    // HINT: note whether images.get(name) already pointed at the same digest (changed: false), then images.tag(name, descriptor).
    // HINT: turn each failure into docker's error with `await pullErrorFor(err, ref, client)` (a missing repository
    // HINT: or tag becomes a 404 in docker's words); when every registry failed, throw the last one.
    throw new NotImplementedError('lesson-09: ImageService.pull');
  }

  /**
   * Finds the local image `name` is: a name (`busybox`, `busybox:latest`,
   * `docker.io/library/busybox:latest`), an image ID, or a unique ID prefix
   * (with or without `sha256:`).
   * @throws NotFoundError `No such image: <name>`; ConflictError when an ID prefix fits several images.
   */
  async resolve(name: string): Promise<ResolvedImage> {
    // TODO(lesson-09): Find the record a name, an image ID or a unique ID prefix points at, and load its manifest and config.
    // HINT: first try the name as a reference (normalise it, look it up among images.list()).
    // HINT: else, if it matches ID_PREFIX, compare `sha256:<prefix>` with each record's manifest config digest; several IDs → ConflictError.
    // HINT: nothing → NotFoundError(`No such image: ${name}`); records: every record whose manifest has the same config digest.
    throw new NotImplementedError('lesson-09: ImageService.resolve');
  }

  /** `GET /images/json`: one summary per image ID, names in docker's familiar form. */
  async list(): Promise<ImageSummary[]> {
    // TODO(lesson-09): Return one ImageSummary per image ID (config digest), with all its names.
    // HINT: group records by their manifest's config digest; resolve() one name per group.
    // HINT: Created: Date.parse(config.created) / 1000, floored; Size: imageSize; Containers and SharedSize: -1.
    throw new NotImplementedError('lesson-09: ImageService.list');
  }

  /** `GET /images/{name}/json`. @throws as {@link ImageService.resolve}. */
  async inspect(name: string): Promise<ImageInspect> {
    // TODO(lesson-09): Return the ImageInspect of the image `name` resolves to.
    // HINT: Created stays RFC 3339 here; RootFS.Layers are config.rootfs.diff_ids; Config merges docker's defaults with config.config.
    throw new NotImplementedError('lesson-09: ImageService.inspect');
  }

  /**
   * `POST /images/{name}/tag?repo=&tag=`: points `repo:tag` (tag `latest` when
   * empty) at the image `source` is.
   * @throws NotFoundError for an unknown source; InvalidParameterError for a bad target name.
   */
  async tag(source: string, repo: string, tag: string | undefined): Promise<void> {
    // TODO(lesson-09): Point `repo:tag` (tag `latest` when empty) at the manifest the source image's record points at.
    // HINT: refuse a target with a digest (InvalidParameterError); images.tag(formatReference(target), image.target).
    throw new NotImplementedError('lesson-09: ImageService.tag');
  }

  /**
   * `DELETE /images/{name}`: a name is untagged; when it was the image's last
   * name the image goes too, with every blob no other image uses. An ID
   * untags every name when `force`, or when the image has only one.
   * @returns docker's answer: `{Untagged}` per name (and its digest form), then `{Deleted}` per blob removed.
   * @throws NotFoundError for an unknown image; ConflictError for an ID of an image with several names, unforced.
   */
  async remove(name: string, force = false): Promise<ImageDeleteResponseItem[]> {
    // TODO(lesson-09): Untag the name (or every name, for an ID), and delete the image's blobs once no name is left.
    // HINT: answer {Untagged: familiarString} and {Untagged: familiarName@digest} per removed name.
    // HINT: an ID of an image with several names, unforced → ConflictError (409).
    // HINT: last name gone: delete manifest, config and layer blobs no remaining image uses; {Deleted: digest} for config and layers.
    throw new NotImplementedError('lesson-09: ImageService.remove');
  }

  /**
   * `POST /images/{name}/push?tag=`: pushes the image `name:tag` (tag
   * `latest` when empty) to the registry its name names.
   * @returns the pushed manifest's descriptor and the tag.
   * @throws NotFoundError when there is no such local image; InvalidParameterError for a
   *   `docker.io` name (mirrors are for pulls only); SystemError when the registry refuses.
   */
  async push(name: string, tag: string | undefined, auth: AuthConfig | undefined, onProgress?: ProgressListener): Promise<{ tag: string; descriptor: Descriptor }> {
    // TODO(lesson-09): Push the local image `name:tag` to the registry its name names, with the caller's credentials.
    // HINT: no such record → NotFoundError(`An image does not exist locally with the tag: …`) (a 404 before any stream).
    // HINT: docker.io names cannot be pushed here (mirrors are pull-only): InvalidParameterError.
    // HINT: new RegistryClient({ registry: ref.domain, auth }).push(ref.path, tag, this.blobs, record.target, { onProgress }).
    throw new NotImplementedError('lesson-09: ImageService.push');
  }
}
