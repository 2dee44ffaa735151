/**
 * The grammars of distribution-spec v1.1 (§ Pulling manifests): repository
 * names, tags, and a manifest `<reference>`, which is a tag or a digest.
 *
 * ```
 * name       [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
 * tag        [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
 * reference  tag | digest
 * ```
 * Names become directories and tags file names, so nothing reaches the disk
 * before it passed these checks: no component can be `..` or start with `_`.
 */
import { isDigest } from '../image/digest.js';
import type { Digest } from '../image/digest.js';
import { RegistryError } from './errors.js';
import { NotImplementedError } from '../errors.js';

/** One path component of a repository name. */
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
/** A whole repository name. */
export const REPOSITORY_NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
/** A tag. */
export const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** The practical length limit of a name (255 for `host:port/name`, as clients enforce it). */
export const MAX_NAME_LENGTH = 255;

/** A manifest reference: exactly one of tag or digest. */
export type ManifestReference = { tag: string; digest?: undefined } | { digest: Digest; tag?: undefined };

/**
 * Checks a repository name.
 * @returns the name unchanged.
 * @throws RegistryError NAME_INVALID (400) naming the name, for anything the grammar refuses
 *   (upper case, `..`, a leading or trailing separator, an empty component) or a name over 255 characters.
 */
export function parseRepositoryName(name: string): string {
  // TODO(lesson-07): Return the name when REPOSITORY_NAME matches and it has at most MAX_NAME_LENGTH characters; otherwise throw NAME_INVALID.
  // HINT: throw new RegistryError('NAME_INVALID', `invalid repository name "${name}"`, { detail: { name } })
  throw new NotImplementedError('lesson-07: parseRepositoryName');
}

/**
 * Splits a manifest reference into a tag or a digest. Anything with a `:` is
 * meant as a digest.
 * @throws RegistryError DIGEST_INVALID (400) for a malformed digest,
 *   MANIFEST_INVALID (400) for a string that is not a valid tag.
 */
export function parseManifestReference(reference: string): ManifestReference {
  // TODO(lesson-07): Return { digest } for a reference with a colon (checked by parseBlobDigest), { tag } for a valid TAG, else throw MANIFEST_INVALID.
  throw new NotImplementedError('lesson-07: parseManifestReference');
}

/**
 * Checks a digest from a URL or a query parameter.
 * @throws RegistryError DIGEST_INVALID (400) unless it is `sha256:<64 lowercase hex>`.
 */
export function parseBlobDigest(value: string): Digest {
  // TODO(lesson-07): Return the value when isDigest accepts it; otherwise throw DIGEST_INVALID naming it.
  throw new NotImplementedError('lesson-07: parseBlobDigest');
}
