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
import type { ErrorEntry } from './errors.js';
import { parseManifestReference } from './names.js';
import { byCodePoint } from './storage.js';
import type { RegistryRouteContext } from './route-context.js';

/** `GET`/`HEAD /v2/<name>/manifests/<tag|digest>`: the exact bytes, with their media type and digest. */
export async function getManifest(ctx: RegistryRouteContext, referenceParam: string): Promise<void> {
  const manifest = await ctx.storage.getManifest(ctx.name, parseManifestReference(referenceParam));
  ctx.res.writeHead(200, {
    'Content-Type': manifest.mediaType,
    'Content-Length': manifest.size,
    'Docker-Content-Digest': manifest.digest,
    ETag: `"${manifest.digest}"`,
  });
  if (ctx.req.method === 'HEAD') {
    ctx.res.end();
    return;
  }
  await pipeline(nodeFs.createReadStream(manifest.path), ctx.res);
}

/**
 * `PUT /v2/<name>/manifests/<tag|digest>`: validates the manifest, checks that
 * every blob (or, for an index, every manifest) it names is in the
 * repository, stores it and answers 201 with `Location` and `Docker-Content-Digest`.
 * @throws RegistryError MANIFEST_INVALID naming the bad field, MANIFEST_BLOB_UNKNOWN
 *   (one entry per missing digest), DIGEST_INVALID when a digest reference is not the body's digest.
 */
export async function putManifest(ctx: RegistryRouteContext, referenceParam: string): Promise<void> {
  const { req, res, storage, name } = ctx;
  const reference = parseManifestReference(referenceParam);
  const bytes = await readLimited(req, MAX_MANIFEST_SIZE);
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  const { mediaType, references } = checkManifest(bytes, contentType);
  const digest = digestOf(bytes);
  if (reference.digest !== undefined && reference.digest !== digest) {
    throw new RegistryError('DIGEST_INVALID', `the body's digest is ${digest}, not ${reference.digest}`, {
      detail: { expected: reference.digest, actual: digest },
    });
  }
  const missing: ErrorEntry[] = [];
  for (const d of references) {
    const present =
      MANIFEST_TYPES.includes(d.mediaType) || INDEX_TYPES.includes(d.mediaType)
        ? await storage.hasManifest(name, d.digest)
        : await storage.statBlob(name, d.digest).then(() => true, () => false);
    if (!present) missing.push({ code: 'MANIFEST_BLOB_UNKNOWN', message: `blob ${d.digest} unknown to repository ${name}`, detail: { digest: d.digest } });
  }
  const [first, ...more] = missing;
  if (first !== undefined) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', first.message, { detail: first.detail, more });
  await storage.putManifest(name, reference, bytes, mediaType);
  res.writeHead(201, { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 });
  res.end();
}

/** `DELETE /v2/<name>/manifests/<tag|digest>`: 202; by digest its tags go too, by tag only the tag. */
export async function deleteManifest(ctx: RegistryRouteContext, referenceParam: string): Promise<void> {
  await ctx.storage.deleteManifest(ctx.name, parseManifestReference(referenceParam));
  ctx.res.writeHead(202, { 'Content-Length': 0 });
  ctx.res.end();
}

/** `GET /v2/<name>/tags/list?n=&last=`: `{name, tags}`, sorted and paginated with a `Link` header. */
export async function listTags(ctx: RegistryRouteContext): Promise<void> {
  const tags = await ctx.storage.tags(ctx.name);
  const page = paginate(tags, ctx.url.searchParams, `/v2/${ctx.name}/tags/list`);
  sendJson(ctx, { name: ctx.name, tags: page.items }, page.link);
}

/** `GET /v2/_catalog?n=&last=`: `{repositories}`, paginated like the tags list. */
export async function listRepositories(ctx: RegistryRouteContext): Promise<void> {
  const page = paginate(await ctx.storage.repositories(), ctx.url.searchParams, '/v2/_catalog');
  sendJson(ctx, { repositories: page.items }, page.link);
}

/**
 * One page of a sorted list: the items after `last`, at most `n` of them
 * (`n=0`: none, and no link). When items remain, `link` is the RFC 5988
 * `Link: <path?n=…&last=…>; rel="next"`. An `n` that is not a number is ignored.
 */
export function paginate(sorted: string[], query: URLSearchParams, pathname: string): { items: string[]; link?: string } {
  const last = query.get('last');
  const after = last === null ? sorted : sorted.filter((item) => byCodePoint(item, last) > 0);
  const nParam = query.get('n');
  const n = nParam !== null && /^\d+$/.test(nParam) ? Number(nParam) : undefined;
  if (n === undefined || after.length <= n) return { items: after };
  const items = after.slice(0, n);
  const lastItem = items[items.length - 1];
  if (lastItem === undefined) return { items };
  const next = new URLSearchParams({ n: String(n), last: lastItem });
  return { items, link: `<${pathname}?${next.toString()}>; rel="next"` };
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
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ValidationError('(root)', 'must be a JSON object');
    if (doc.schemaVersion !== 2) throw new ValidationError('schemaVersion', 'must be 2');
    if (doc.mediaType !== undefined && typeof doc.mediaType !== 'string') throw new ValidationError('mediaType', 'must be a string');
    const declared = doc.mediaType as string | undefined;
    if (declared !== undefined && contentType !== '' && declared !== contentType) {
      throw new ValidationError('mediaType', `${JSON.stringify(declared)} is not the Content-Type ${JSON.stringify(contentType)}`);
    }
    const type = declared ?? (contentType || undefined);
    const isIndex = type !== undefined ? INDEX_TYPES.includes(type) : doc.manifests !== undefined;
    if (!isIndex && type !== undefined && !MANIFEST_TYPES.includes(type)) {
      throw new ValidationError('mediaType', `${JSON.stringify(type)} is not a manifest or index type`);
    }
    if (doc.subject !== undefined) validateDescriptor(doc.subject, 'subject');
    if (isIndex) return { mediaType: type ?? OCI_INDEX, references: descriptors(doc.manifests, 'manifests') };
    const config = validateDescriptor(doc.config, 'config');
    return { mediaType: type ?? OCI_MANIFEST, references: [config, ...descriptors(doc.layers, 'layers')] };
  } catch (err) {
    if (err instanceof SyntaxError) throw new RegistryError('MANIFEST_INVALID', `(root): not JSON: ${err.message}`, { detail: { field: '(root)' } });
    if (err instanceof ValidationError) {
      throw new RegistryError('MANIFEST_INVALID', err.message, { detail: { field: err.field, reason: err.reason } });
    }
    throw err;
  }
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
