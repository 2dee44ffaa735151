/**
 * Provided: the media types lessons 05 to 08 compare against.
 *
 * Media types of the OCI image spec v1.1 and of Docker's image manifest v2,
 * schema 2, which registries and the docker CLI still use alongside them.
 */

/** OCI image manifest. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** OCI image index (a list of manifests, one per platform). */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** OCI image configuration. */
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
/** OCI layer, uncompressed tar. */
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
/** OCI layer, gzip-compressed tar. */
export const OCI_LAYER_TAR_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** OCI layer, zstd-compressed tar. */
export const OCI_LAYER_TAR_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
/** An empty JSON descriptor payload (`{}`), used by artifacts. */
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

/** Docker image manifest v2, schema 2. */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** Docker manifest list (the Docker counterpart of an OCI index). */
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** Docker image configuration. */
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
/** Docker layer, gzip-compressed tar. */
export const DOCKER_LAYER_TAR_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** Media types of a single-platform image manifest. */
export const MANIFEST_TYPES: readonly string[] = [OCI_MANIFEST, DOCKER_MANIFEST];
/** Media types of a multi-platform index. */
export const INDEX_TYPES: readonly string[] = [OCI_INDEX, DOCKER_MANIFEST_LIST];
/** Media types of an image configuration. */
export const CONFIG_TYPES: readonly string[] = [OCI_CONFIG, DOCKER_CONFIG];
/** Media types of layers the workshop can unpack. */
export const LAYER_TYPES: readonly string[] = [OCI_LAYER_TAR, OCI_LAYER_TAR_GZIP, DOCKER_LAYER_TAR_GZIP];
