/**
 * Provided: the image spec types lessons 05 to 09 use.
 *
 * The OCI image spec v1.1 types, with the spec's field names.
 *
 * ```
 * Index ──manifests[]──▶ Manifest ──config──▶ Image (config blob: ImageConfig, RootFS, History)
 *                                 └─layers[]─▶ layer blobs (tar, tar+gzip)
 * ```
 * Every arrow is a {@link Descriptor}: the media type, digest and size of
 * the blob it points at.
 */
import type { Digest } from './digest.js';

/** The platform an image runs on (`linux`/`amd64`). */
export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

/** A typed, sized, content-addressed pointer to a blob. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  data?: string;
  artifactType?: string;
  /** Only in an index's `manifests`. */
  platform?: Platform;
}

/** An image manifest (OCI, or Docker schema 2 with the Docker media types). */
export interface Manifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** An image index (OCI) or manifest list (Docker): one manifest per platform. */
export interface Index {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** How to run the image: the `config` field of the config blob. */
export interface ImageConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  /** `HEALTHCHECK`: the test and its timing in nanoseconds (docker's image config extension). */
  Healthcheck?: HealthConfig;
}

/**
 * A health check as docker keeps it: `Test` is `["NONE"]` (none), `["CMD", arg…]`
 * (run as it is) or `["CMD-SHELL", "text"]` (run by `/bin/sh -c`); an empty
 * Test inherits the image's. Durations are nanoseconds, 0 meaning docker's default.
 */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The layers' uncompressed digests (DiffIDs), bottom first. */
export interface RootFS {
  type: 'layers';
  diff_ids: Digest[];
}

/** One step of the image's history. */
export interface History {
  created?: string;
  author?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image configuration blob. */
export interface Image extends Platform {
  created?: string;
  author?: string;
  config?: ImageConfig;
  rootfs: RootFS;
  history?: History[];
}

/** `index.json` of an OCI image layout: an index whose manifests carry ref names. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
