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
  const d = object(value, field);
  if (typeof d.mediaType !== 'string' || !MEDIA_TYPE.test(d.mediaType)) {
    throw new ValidationError(join(field, 'mediaType'), d.mediaType === undefined ? 'is required' : 'not a valid media type');
  }
  if (!isDigest(d.digest)) throw new ValidationError(join(field, 'digest'), 'not a valid digest');
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new ValidationError(join(field, 'size'), 'must be a non-negative integer');
  }
  stringList(d.urls, join(field, 'urls'));
  stringMap(d.annotations, join(field, 'annotations'));
  if (d.platform !== undefined) validatePlatform(d.platform, join(field, 'platform'));
  return d as unknown as Descriptor;
}

function validatePlatform(value: unknown, field: string): Platform {
  const p = object(value, field);
  for (const key of ['architecture', 'os'] as const) {
    if (typeof p[key] !== 'string' || p[key] === '') throw new ValidationError(join(field, key), 'must be a non-empty string');
  }
  optionalString(p.variant, join(field, 'variant'));
  optionalString(p['os.version'], join(field, 'os.version'));
  stringList(p['os.features'], join(field, 'os.features'));
  return p as unknown as Platform;
}

/**
 * Checks an image manifest (OCI or Docker schema 2): `schemaVersion` 2, a
 * manifest media type when one is given, a config descriptor of an image
 * config type, and layer descriptors of layer types the store can unpack.
 * @throws ValidationError naming the bad field, e.g. `layers[1].digest: not a valid digest`.
 */
export function validateManifest(json: unknown): Manifest {
  const doc = object(json, '');
  schemaVersion(doc);
  mediaTypeOf(doc, MANIFEST_TYPES, 'an image manifest');
  const config = validateDescriptor(doc.config, 'config');
  if (!CONFIG_TYPES.includes(config.mediaType)) {
    throw new ValidationError('config.mediaType', `${JSON.stringify(config.mediaType)} is not an image config type`);
  }
  array(doc.layers, 'layers').forEach((layer, i) => {
    const d = validateDescriptor(layer, `layers[${i}]`);
    if (!LAYER_TYPES.includes(d.mediaType)) {
      throw new ValidationError(`layers[${i}].mediaType`, `${JSON.stringify(d.mediaType)} is not a supported layer type`);
    }
  });
  if (doc.subject !== undefined) validateDescriptor(doc.subject, 'subject');
  stringMap(doc.annotations, 'annotations');
  return doc as unknown as Manifest;
}

/**
 * Checks an image index (OCI) or manifest list (Docker): `schemaVersion` 2, an
 * index media type when one is given, and manifest descriptors that point at
 * manifests or indexes, with a valid `platform` where present.
 * @throws ValidationError naming the bad field, e.g. `manifests[0].platform.os`.
 */
export function validateIndex(json: unknown): Index {
  const doc = object(json, '');
  schemaVersion(doc);
  mediaTypeOf(doc, INDEX_TYPES, 'an image index');
  array(doc.manifests, 'manifests').forEach((entry, i) => {
    const d = validateDescriptor(entry, `manifests[${i}]`);
    if (!MANIFEST_TYPES.includes(d.mediaType) && !INDEX_TYPES.includes(d.mediaType)) {
      throw new ValidationError(`manifests[${i}].mediaType`, `${JSON.stringify(d.mediaType)} is not a manifest or index type`);
    }
  });
  if (doc.subject !== undefined) validateDescriptor(doc.subject, 'subject');
  stringMap(doc.annotations, 'annotations');
  return doc as unknown as Index;
}

/**
 * Checks an image config blob: `architecture` and `os`, `rootfs` of type
 * `layers` with digest `diff_ids`, and, when present, the string fields of
 * `config` (`Env`, `Cmd`, `Entrypoint` …) and the `history` entries.
 * @throws ValidationError naming the bad field, e.g. `rootfs.type: must be "layers"`.
 */
export function validateImage(json: unknown): Image {
  const doc = validatePlatform(json, '') as unknown as Json;
  optionalString(doc.created, 'created');
  optionalString(doc.author, 'author');
  if (doc.rootfs === undefined) throw new ValidationError('rootfs', 'is required');
  const rootfs = object(doc.rootfs, 'rootfs');
  if (rootfs.type !== 'layers') throw new ValidationError('rootfs.type', 'must be "layers"');
  array(rootfs.diff_ids, 'rootfs.diff_ids').forEach((id, i) => {
    if (!isDigest(id)) throw new ValidationError(`rootfs.diff_ids[${i}]`, 'not a valid digest');
  });
  if (doc.config !== undefined && doc.config !== null) {
    const config = object(doc.config, 'config');
    for (const key of ['User', 'WorkingDir', 'StopSignal']) optionalString(config[key], `config.${key}`);
    // Docker writes Go's nil slices and maps as null.
    for (const key of ['Env', 'Cmd', 'Entrypoint']) stringList(config[key], `config.${key}`, true);
    stringMap(config.Labels, 'config.Labels', true);
    for (const key of ['ExposedPorts', 'Volumes']) if (config[key] != null) object(config[key], `config.${key}`);
  }
  if (doc.history !== undefined) {
    array(doc.history, 'history').forEach((entry, i) => {
      const h = object(entry, `history[${i}]`);
      for (const key of ['created', 'author', 'created_by', 'comment']) optionalString(h[key], `history[${i}].${key}`);
      if (h.empty_layer !== undefined && typeof h.empty_layer !== 'boolean') {
        throw new ValidationError(`history[${i}].empty_layer`, 'must be a boolean');
      }
    });
  }
  return doc as unknown as Image;
}
