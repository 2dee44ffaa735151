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
    if (ref.domain !== DEFAULT_DOMAIN) return [{ registry: ref.domain, insecure: false }];
    if (this.mirrors.length === 0) {
      throw new SystemError(
        `no registry mirror configured for ${DEFAULT_DOMAIN}; start minidockerd with --registry-mirror http://HOST:PORT`,
      );
    }
    return this.mirrors.map((mirror) => {
      const url = new URL(mirror);
      return { registry: url.host, insecure: url.protocol === 'http:' };
    });
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
    const ref = parseReference(tag === undefined || tag === '' ? fromImage : `${fromImage}${tag.startsWith('sha256:') ? '@' : ':'}${tag}`);
    const name = formatReference(ref);
    let failure: Error = new SystemError(`no registry to pull ${familiarString(ref)} from`);
    for (const target of this.registriesFor(ref)) {
      // Credentials belong to the registry named in the reference, never to a mirror.
      const client = new RegistryClient({ ...target, ...(ref.domain === DEFAULT_DOMAIN ? {} : { auth }) });
      try {
        const pulled = await client.pull(ref.path, ref.digest ?? ref.tag ?? 'latest', this.blobs, { onProgress });
        const old = await this.images.get(name).catch(() => undefined);
        await this.images.tag(name, pulled.descriptor);
        return { reference: name, digest: pulled.descriptor.digest, changed: old?.target.digest !== pulled.descriptor.digest, layers: pulled.layers };
      } catch (err) {
        failure = await pullErrorFor(err, ref, client); // in docker's words: a missing repository or tag is a 404
      }
    }
    throw failure;
  }

  /**
   * Finds the local image `name` is: a name (`busybox`, `busybox:latest`,
   * `docker.io/library/busybox:latest`), an image ID, or a unique ID prefix
   * (with or without `sha256:`).
   * @throws NotFoundError `No such image: <name>`; ConflictError when an ID prefix fits several images.
   */
  async resolve(name: string): Promise<ResolvedImage> {
    const records = await this.images.list();
    let found: ImageRecord | undefined;
    try {
      const key = formatReference(parseReference(name));
      found = records.find((r) => r.name === key);
    } catch {
      // not a reference: maybe an ID
    }
    if (found === undefined && ID_PREFIX.test(name)) {
      const prefix = name.startsWith('sha256:') ? name : `sha256:${name}`;
      const ids = new Map<string, ImageRecord>();
      for (const record of records) {
        const id = (await readManifest(this.blobs, record.target)).config.digest;
        if (id.startsWith(prefix)) ids.set(id, record);
      }
      if (ids.size > 1) throw new ConflictError(`conflict: ${name} is ambiguous: it is a prefix of ${ids.size} image IDs`);
      found = [...ids.values()][0];
    }
    if (found === undefined) throw new NotFoundError(`No such image: ${name}`);
    const manifest = await readManifest(this.blobs, found.target);
    const config = await readJsonBlob<Image>(this.blobs, manifest.config.digest);
    const sameImage: ImageRecord[] = [];
    for (const record of records) {
      if (record.target.digest === found.target.digest || (await readManifest(this.blobs, record.target)).config.digest === manifest.config.digest) {
        sameImage.push(record);
      }
    }
    return { id: manifest.config.digest, target: found.target, manifest, config, records: sameImage };
  }

  /** `GET /images/json`: one summary per image ID, names in docker's familiar form. */
  async list(): Promise<ImageSummary[]> {
    const byId = new Map<string, ResolvedImage>();
    for (const record of await this.images.list()) {
      const manifest = await readManifest(this.blobs, record.target);
      if (!byId.has(manifest.config.digest)) byId.set(manifest.config.digest, await this.resolve(record.name));
    }
    return [...byId.values()].map((image) => ({
      Id: image.id,
      ParentId: '',
      RepoTags: repoTags(image),
      RepoDigests: repoDigests(image),
      Created: image.config.created === undefined ? 0 : Math.floor(Date.parse(image.config.created) / 1000),
      Size: imageSize(image),
      SharedSize: -1,
      Labels: image.config.config?.Labels ?? null,
      Containers: -1,
    }));
  }

  /** `GET /images/{name}/json`. @throws as {@link ImageService.resolve}. */
  async inspect(name: string): Promise<ImageInspect> {
    const image = await this.resolve(name);
    const { config } = image;
    const size = imageSize(image);
    return {
      Id: image.id,
      RepoTags: repoTags(image),
      RepoDigests: repoDigests(image),
      Parent: '',
      Comment: config.history?.at(-1)?.comment ?? '',
      Created: config.created ?? '0001-01-01T00:00:00Z',
      Author: config.author ?? '',
      Config: {
        Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
        Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null,
        WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
        ...config.config,
      },
      Architecture: config.architecture,
      ...(config.variant === undefined ? {} : { Variant: config.variant }),
      Os: config.os,
      Size: size,
      VirtualSize: size,
      GraphDriver: { Name: 'minidocker', Data: {} },
      RootFS: { Type: 'layers', Layers: config.rootfs.diff_ids },
      Metadata: { LastTagTime: image.records.map((r) => r.created ?? '').sort().at(-1) ?? '' },
    };
  }

  /**
   * `POST /images/{name}/tag?repo=&tag=`: points `repo:tag` (tag `latest` when
   * empty) at the image `source` is.
   * @throws NotFoundError for an unknown source; InvalidParameterError for a bad target name.
   */
  async tag(source: string, repo: string, tag: string | undefined): Promise<void> {
    const image = await this.resolve(source);
    const target = parseReference(tag === undefined || tag === '' ? repo : `${repo}:${tag}`);
    if (target.digest !== undefined) throw new InvalidParameterError(`refusing to create a tag with a digest reference: ${repo}`);
    await this.images.tag(formatReference(target), image.target);
  }

  /**
   * `DELETE /images/{name}`: a name is untagged; when it was the image's last
   * name the image goes too, with every blob no other image uses. An ID
   * untags every name when `force`, or when the image has only one.
   * @returns docker's answer: `{Untagged}` per name (and its digest form), then `{Deleted}` per blob removed.
   * @throws NotFoundError for an unknown image; ConflictError for an ID of an image with several names, unforced.
   */
  async remove(name: string, force = false): Promise<ImageDeleteResponseItem[]> {
    const image = await this.resolve(name);
    let key: string | undefined;
    try {
      key = formatReference(parseReference(name));
    } catch {
      // an ID
    }
    const byName = image.records.find((r) => r.name === key);
    const doomed = byName !== undefined ? [byName] : image.records;
    if (byName === undefined && doomed.length > 1 && !force) {
      throw new ConflictError(
        `conflict: unable to delete ${image.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
      );
    }
    const answer: ImageDeleteResponseItem[] = [];
    for (const record of doomed) {
      await this.images.untag(record.name);
      const ref = parseReference(record.name);
      answer.push({ Untagged: familiarString(ref) }, { Untagged: `${familiarName(ref)}@${record.target.digest}` });
    }
    if (doomed.length < image.records.length) return answer;
    const kept = new Set<string>();
    for (const record of await this.images.list()) {
      const manifest = await readManifest(this.blobs, record.target);
      for (const d of [record.target, manifest.config, ...manifest.layers]) kept.add(d.digest);
    }
    for (const d of [image.target, image.manifest.config, ...image.manifest.layers]) {
      if (kept.has(d.digest)) continue;
      kept.add(d.digest); // a blob listed twice is deleted once
      await this.blobs.delete(d.digest).catch(() => undefined);
      if (d !== image.target) answer.push({ Deleted: d.digest });
    }
    return answer;
  }

  /**
   * `POST /images/{name}/push?tag=`: pushes the image `name:tag` (tag
   * `latest` when empty) to the registry its name names.
   * @returns the pushed manifest's descriptor and the tag.
   * @throws NotFoundError when there is no such local image; InvalidParameterError for a
   *   `docker.io` name (mirrors are for pulls only); SystemError when the registry refuses.
   */
  async push(name: string, tag: string | undefined, auth: AuthConfig | undefined, onProgress?: ProgressListener): Promise<{ tag: string; descriptor: Descriptor }> {
    const ref = parseReference(tag === undefined || tag === '' ? name : `${name}:${tag}`);
    const record = await this.images.get(formatReference(ref)).catch(() => {
      throw new NotFoundError(`An image does not exist locally with the tag: ${familiarName(ref)}`);
    });
    if (ref.domain === DEFAULT_DOMAIN) {
      throw new InvalidParameterError(`cannot push ${familiarString(ref)}: ${DEFAULT_DOMAIN} is only reached through pull mirrors; tag the image for another registry`);
    }
    const client = new RegistryClient({ registry: ref.domain, auth });
    try {
      const descriptor = await client.push(ref.path, ref.tag ?? 'latest', this.blobs, record.target, { onProgress });
      return { tag: ref.tag ?? 'latest', descriptor };
    } catch (err) {
      throw engineErrorFor(err, familiarString(ref));
    }
  }
}
