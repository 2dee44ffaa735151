/**
 * Image references, parsed and normalised the way docker does
 * (distribution/reference):
 *
 * ```
 * reference        := name [ ":" tag ] [ "@" digest ]
 * name             := [ domain "/" ] remote-name
 * domain           := host [ ":" port ]           host: domain-name | "[" IPv6 "]"
 * domain-name      := domain-component [ "." domain-component ]*
 * domain-component := /[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]/
 * remote-name      := path-component [ "/" path-component ]*
 * path-component   := /[a-z0-9]+/ [ separator /[a-z0-9]+/ ]*    separator: "." | "_" | "__" | "-"+
 * tag              := /[\w][\w.-]{0,127}/
 * ```
 *
 * Normalising fills in what a familiar name leaves out:
 * `busybox` → `docker.io/library/busybox:latest`.
 */
import { InvalidParameterError } from '../errdefs.js';
import { NotImplementedError } from '../errors.js';
import { parseDigest } from './digest.js';
import type { Digest } from './digest.js';

/** Docker Hub's domain, used when a name has none. */
export const DEFAULT_DOMAIN = 'docker.io';
/** The tag used when a reference has neither a tag nor a digest. */
export const DEFAULT_TAG = 'latest';
/** Docker Hub's namespace for official images. */
export const OFFICIAL_REPO_PREFIX = 'library/';
/** The longest repository path allowed. */
export const NAME_TOTAL_LENGTH_MAX = 255;

/** A parsed, normalised image reference. */
export interface Reference {
  /** Registry host, with a port when given: `docker.io`, `localhost:5000`. */
  domain: string;
  /** Repository path inside the registry: `library/busybox`, `user/app`. */
  path: string;
  /** The tag; undefined only when the reference names a digest instead. */
  tag?: string;
  /** The manifest digest, when the reference pins one. */
  digest?: Digest;
}

/**
 * The grammar rule an invalid reference breaks, and docker's wording for it:
 * - `empty`: "repository name must have at least one component"
 * - `identifier`: a bare 64-hex image ID, "cannot specify 64-byte hexadecimal strings"
 * - `uppercase`: "repository name (…) must be lowercase"
 * - `domain`: the registry part is not `host[:port]`
 * - `path-component`: a path component is not `[a-z0-9]+` joined by separators
 * - `too-long`: "repository name must not be more than 255 characters"
 * - `tag`: the tag is not `[\w][\w.-]{0,127}`
 * - `digest`: not `algorithm:hex`, or not a valid sha256 digest
 */
export type ReferenceRule = 'empty' | 'identifier' | 'uppercase' | 'domain' | 'path-component' | 'too-long' | 'tag' | 'digest';

/** A string that is not a valid image reference; `rule` names the rule it breaks. */
export class InvalidReferenceError extends InvalidParameterError {
  constructor(
    /** The string as given. */
    readonly reference: string,
    /** The rule it breaks. */
    readonly rule: ReferenceRule,
    message: string,
  ) {
    super(message);
  }
}

const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';

/**
 * Splits off the domain like docker's `splitDockerDomain`: the first
 * component is a domain only when it contains `.` or `:`, is `localhost`, or
 * has uppercase letters (which a path never may). Docker Hub names get `library/`.
 */
function splitDomain(name: string): [domain: string, remainder: string] {
  // TODO(lesson-05): Split the domain off the first "/" the way docker decides it is one.
  // HINT: A domain contains "." or ":", is "localhost", or has uppercase letters; else it is docker.io.
  // HINT: index.docker.io is docker.io, and a docker.io path without "/" gets "library/" in front.
  void name;
  throw new NotImplementedError('lesson-05: splitDomain');
}

/**
 * Parses and normalises a reference as `docker pull` does: the default domain
 * `docker.io`, `library/` for official images, and the tag `latest` unless a
 * tag or a digest is given (`name@sha256:…` gets no tag; `name:tag@sha256:…` keeps both).
 * `index.docker.io` is read as `docker.io`.
 * @throws InvalidReferenceError naming the broken rule: an empty string, a
 *   64-hex identifier, uppercase in the repository, a bad domain or path
 *   component, a path over 255 characters, a bad tag, or a bad digest.
 */
export function parseReference(s: string): Reference {
  // TODO(lesson-05): Check the reference against each rule, throwing InvalidReferenceError, and normalise it.
  // HINT: Order: empty, 64-hex identifier, splitDomain, uppercase (in the remainder before ":"), then split
  // HINT: off "@digest" (first "@") and ":tag" (last ":") and check domain, path, length, tag and digest.
  // HINT: Build the regular expressions from the grammar at the top of this file; parseDigest checks sha256.
  void s;
  throw new NotImplementedError('lesson-05: parseReference');
}

/** `domain/path`, the full repository name: `docker.io/library/busybox`. */
export function repositoryName(ref: Reference): string {
  // TODO(lesson-05): Join the domain and the path.
  void ref;
  throw new NotImplementedError('lesson-05: repositoryName');
}

/** The full normalised string: `docker.io/library/busybox:latest`, `localhost:5000/a@sha256:…`. */
export function formatReference(ref: Reference): string {
  // TODO(lesson-05): Append ":tag" and "@digest" to the repository name, each only when present.
  void ref;
  throw new NotImplementedError('lesson-05: formatReference');
}

/** Parses and formats in one step: `busybox` → `docker.io/library/busybox:latest`. */
export function normalize(s: string): string {
  return formatReference(parseReference(s));
}

/**
 * Docker's short repository name, as `docker images` shows it: `docker.io`
 * is dropped, and so is `library/` when nothing else is nested under it
 * (`busybox`, `user/app`, `localhost:5000/a/b`).
 */
export function familiarName(ref: Reference): string {
  // TODO(lesson-05): Drop "docker.io/", and "library/" when no other "/" follows it.
  void ref;
  throw new NotImplementedError('lesson-05: familiarName');
}

/** The familiar name with its tag and digest, as docker prints it: `busybox:latest`, `user/app@sha256:…`. */
export function familiarString(ref: Reference): string {
  // TODO(lesson-05): Append ":tag" and "@digest" to the familiar name, each only when present.
  void ref;
  throw new NotImplementedError('lesson-05: familiarString');
}
