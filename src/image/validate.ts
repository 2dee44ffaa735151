/**
 * Checks that parsed JSON really is a manifest, an index or an image config
 * before anything trusts it: a registry, a layout on disk or a tarball may
 * hand over anything. Errors name the field that is wrong, by its JSON path
 * (`layers[1].digest`), so the message points at the bad byte range.
 *
 * Both the OCI media types and Docker's image manifest v2, schema 2 types are
 * accepted; see `media-types.ts`.
 */
import { InvalidParameterError } from '../errdefs.js';
import { NotImplementedError } from '../errors.js';
import { isDigest } from './digest.js';
import { CONFIG_TYPES, INDEX_TYPES, LAYER_TYPES, MANIFEST_TYPES } from './media-types.js';
import type { Descriptor, Image, Index, Manifest, Platform } from './types.js';

/** A document that breaks the spec; `field` is the JSON path of the offending value. */
export class ValidationError extends InvalidParameterError {
  constructor(
    /** JSON path of the bad value, e.g. `layers[1].digest`; `(root)` for the document itself. */
    readonly field: string,
    /** What is wrong with it. */
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

type Json = Record<string, unknown>;

// RFC 6838 type/subtype, as the OCI descriptor spec restricts media types.
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

const join = (base: string, key: string | number) =>
  typeof key === 'number' ? `${base}[${key}]` : base === '' ? key : `${base}.${key}`;

function object(value: unknown, field: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(field === '' ? '(root)' : field, 'must be a JSON object');
  }
  return value as Json;
}

function array(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new ValidationError(field, value === undefined ? 'is required' : 'must be an array');
  return value;
}

function optionalString(value: unknown, field: string): void {
  if (value !== undefined && typeof value !== 'string') throw new ValidationError(field, 'must be a string');
}

function stringList(value: unknown, field: string, nullable = false): void {
  if (value === undefined || (nullable && value === null)) return;
  array(value, field).forEach((item, i) => {
    if (typeof item !== 'string') throw new ValidationError(join(field, i), 'must be a string');
  });
}

function stringMap(value: unknown, field: string, nullable = false): void {
  if (value === undefined || (nullable && value === null)) return;
  for (const [key, item] of Object.entries(object(value, field))) {
    if (typeof item !== 'string') throw new ValidationError(join(field, key), 'must be a string');
  }
}

function schemaVersion(doc: Json): void {
  if (doc.schemaVersion !== 2) throw new ValidationError('schemaVersion', 'must be 2');
}

function mediaTypeOf(doc: Json, allowed: readonly string[], what: string): void {
  if (doc.mediaType === undefined) return; // optional in OCI documents; Docker's always carry it
  if (typeof doc.mediaType !== 'string' || !allowed.includes(doc.mediaType)) {
    throw new ValidationError('mediaType', `${JSON.stringify(doc.mediaType)} is not ${what} type`);
  }
}

/**
 * Checks a descriptor: a media type, a valid sha256 digest, a non-negative
 * integer size; `urls` and `annotations`, when present, hold strings.
 * @param field the descriptor's JSON path, used in error messages.
 * @throws ValidationError naming the bad field.
 */
export function validateDescriptor(value: unknown, field: string): Descriptor {
  // TODO(lesson-05): Check mediaType, digest, size, urls, annotations and platform, naming `field.key` on failure.
  // HINT: MEDIA_TYPE tests the media type, isDigest the digest; Number.isSafeInteger(size) && size >= 0.
  void value, field;
  throw new NotImplementedError('lesson-05: validateDescriptor');
}

function validatePlatform(value: unknown, field: string): Platform {
  // TODO(lesson-05): Require non-empty architecture and os strings; variant, os.version and os.features are optional.
  void value, field;
  throw new NotImplementedError('lesson-05: validatePlatform');
}

/**
 * Checks an image manifest (OCI or Docker schema 2): `schemaVersion` 2, a
 * manifest media type when one is given, a config descriptor of an image
 * config type, and layer descriptors of layer types the store can unpack.
 * @throws ValidationError naming the bad field, e.g. `layers[1].digest: not a valid digest`.
 */
export function validateManifest(json: unknown): Manifest {
  // TODO(lesson-05): Check schemaVersion, mediaType, the config descriptor and its type, and every layer.
  // HINT: object(json, ''), schemaVersion(doc) and mediaTypeOf(doc, MANIFEST_TYPES, 'an image manifest') come first.
  // HINT: Name layer fields by index: validateDescriptor(layer, `layers[${i}]`).
  void json;
  throw new NotImplementedError('lesson-05: validateManifest');
}

/**
 * Checks an image index (OCI) or manifest list (Docker): `schemaVersion` 2, an
 * index media type when one is given, and manifest descriptors that point at
 * manifests or indexes, with a valid `platform` where present.
 * @throws ValidationError naming the bad field, e.g. `manifests[0].platform.os`.
 */
export function validateIndex(json: unknown): Index {
  // TODO(lesson-05): Check schemaVersion, mediaType and every entry of manifests.
  void json;
  throw new NotImplementedError('lesson-05: validateIndex');
}

/**
 * Checks an image config blob: `architecture` and `os`, `rootfs` of type
 * `layers` with digest `diff_ids`, and, when present, the string fields of
 * `config` (`Env`, `Cmd`, `Entrypoint` …) and the `history` entries.
 * @throws ValidationError naming the bad field, e.g. `rootfs.type: must be "layers"`.
 */
export function validateImage(json: unknown): Image {
  // TODO(lesson-05): Check the platform fields, rootfs (type and diff_ids), config's fields and history.
  // HINT: Docker writes empty lists and maps as null: Env, Cmd, Entrypoint and Labels may be null.
  void json;
  throw new NotImplementedError('lesson-05: validateImage');
}
