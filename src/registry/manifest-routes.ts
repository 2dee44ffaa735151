/**
 * Manifests, tags and the catalog (distribution-spec end-3, end-7, end-8a/b,
 * end-9, and `_catalog`). A manifest is stored byte for byte as pushed and
 * served with the media type it was pushed with.
 */
import nodeFs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { digestOf } from '../image/digest.js';
import { MAX_MANIFEST_SIZE } from '../image/limits.js';
import { INDEX_TYPES, MANIFEST_TYPES, OCI_INDEX, OCI_MANIFEST } from '../image/media-types.js';
import type { Descriptor } from '../image/types.js';
import { ValidationError, validateDescriptor } from '../image/validate.js';
import { RegistryError } from './errors.js';
import { NotImplementedError } from '../errors.js';
import type { ErrorEntry } from './errors.js';
import { parseManifestReference } from './names.js';
import { byCodePoint } from './storage.js';
import type { RegistryRouteContext } from './route-context.js';

/** `GET`/`HEAD /v2/<name>/manifests/<tag|digest>`: the exact bytes, with their media type and digest. */
export async function getManifest(ctx: RegistryRouteContext, referenceParam: string): Promise<void> {
  // TODO(lesson-07): Find the manifest, answer 200 with its media type as Content-Type, Content-Length and Docker-Content-Digest, and stream its bytes (none for HEAD).
  throw new NotImplementedError('lesson-07: getManifest');
}

/**
 * `PUT /v2/<name>/manifests/<tag|digest>`: validates the manifest, checks that
 * every blob (or, for an index, every manifest) it names is in the
 * repository, stores it and answers 201 with `Location` and `Docker-Content-Digest`.
 * @throws RegistryError MANIFEST_INVALID naming the bad field, MANIFEST_BLOB_UNKNOWN
 *   (one entry per missing digest), DIGEST_INVALID when a digest reference is not the body's digest.
 */
export async function putManifest(ctx: RegistryRouteContext, referenceParam: string): Promise<void> {
  // TODO(lesson-07): Read the body (readLimited up to MAX_MANIFEST_SIZE), checkManifest it, compare a digest reference with digestOf(body), refuse missing blobs with MANIFEST_BLOB_UNKNOWN, store it and answer 201.
  // HINT: a descriptor of a manifest or index type must be a manifest of the repository (storage.hasManifest); any other must be a linked blob (storage.statBlob).
  // HINT: one error entry per missing digest, each with detail: { digest }.
  throw new NotImplementedError('lesson-07: putManifest');
}

/** `DELETE /v2/<name>/manifests/<tag|digest>`: 202; by digest its tags go too, by tag only the tag. */
export async function deleteManifest(ctx: RegistryRouteContext, referenceParam: string): Promise<void> {
  // TODO(lesson-07): Delete by tag or digest and answer 202.
  throw new NotImplementedError('lesson-07: deleteManifest');
}

/** `GET /v2/<name>/tags/list?n=&last=`: `{name, tags}`, sorted and paginated with a `Link` header. */
export async function listTags(ctx: RegistryRouteContext): Promise<void> {
  // TODO(lesson-07): Answer {name, tags} for one page of the sorted tags, with the page's Link header.
  throw new NotImplementedError('lesson-07: listTags');
}

/** `GET /v2/_catalog?n=&last=`: `{repositories}`, paginated like the tags list. */
export async function listRepositories(ctx: RegistryRouteContext): Promise<void> {
  // TODO(lesson-07): Answer {repositories} for one page of the catalog, with the page's Link header.
  throw new NotImplementedError('lesson-07: listRepositories');
}

/**
 * One page of a sorted list: the items after `last`, at most `n` of them
 * (`n=0`: none, and no link). When items remain, `link` is the RFC 5988
 * `Link: <path?n=…&last=…>; rel="next"`. An `n` that is not a number is ignored.
 */
export function paginate(sorted: string[], query: URLSearchParams, pathname: string): { items: string[]; link?: string } {
  // TODO(lesson-07): Keep the items after `last`, at most `n`; when some remain, link to `<pathname?n=…&last=…>; rel="next"`.
  throw new NotImplementedError('lesson-07: paginate');
}

/**
 * Parses and checks a manifest body: an image manifest (`config`, `layers`)
 * or an index (`manifests`), each descriptor checked with the image store's
 * validateDescriptor. Any media types are accepted inside (a registry also
 * stores artifacts); the document's own `mediaType` must equal the Content-Type when both are given.
 * @returns the media type to serve it with, and the descriptors that must already be in the repository.
 * @throws RegistryError MANIFEST_INVALID with `detail: {field, reason}`.
 */
export function checkManifest(bytes: Buffer, contentType: string): { mediaType: string; references: Descriptor[] } {
  // TODO(lesson-07): Parse the JSON, check schemaVersion, mediaType against Content-Type and each descriptor with validateDescriptor; return the media type and the descriptors to look up.
  // HINT: an index has `manifests`, an image manifest `config` and `layers`; the subject is checked but need not exist.
  // HINT: turn a SyntaxError or a ValidationError into MANIFEST_INVALID with detail { field }.
  throw new NotImplementedError('lesson-07: checkManifest');
}

function descriptors(value: unknown, field: string): Descriptor[] {
  if (!Array.isArray(value)) throw new ValidationError(field, value === undefined ? 'is required' : 'must be an array');
  return value.map((item, i) => validateDescriptor(item, `${field}[${i}]`));
}

/** Reads a small body (a manifest) up to `max` bytes. @throws RegistryError MANIFEST_INVALID (413) past it. */
async function readLimited(req: AsyncIterable<Buffer>, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > max) throw new RegistryError('MANIFEST_INVALID', `manifest larger than ${max} bytes`, { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function sendJson(ctx: RegistryRouteContext, value: unknown, link: string | undefined): void {
  const body = JSON.stringify(value);
  ctx.res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    ...(link === undefined ? {} : { Link: link }),
  });
  ctx.res.end(body);
}
