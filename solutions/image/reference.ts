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
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const REMOTE_NAME = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IDENTIFIER = /^[a-f0-9]{64}$/;

/**
 * Splits off the domain like docker's `splitDockerDomain`: the first
 * component is a domain only when it contains `.` or `:`, is `localhost`, or
 * has uppercase letters (which a path never may). Docker Hub names get `library/`.
 */
function splitDomain(name: string): [domain: string, remainder: string] {
  const slash = name.indexOf('/');
  const first = name.slice(0, slash);
  let domain = DEFAULT_DOMAIN;
  let remainder = name;
  if (slash >= 0 && (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first)) {
    domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
    remainder = name.slice(slash + 1);
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return [domain, remainder];
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
  const fail = (rule: ReferenceRule, why: string) => new InvalidReferenceError(s, rule, `invalid reference format: ${why}`);
  if (s === '') throw fail('empty', 'repository name must have at least one component');
  if (IDENTIFIER.test(s)) {
    throw new InvalidReferenceError(s, 'identifier', `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDomain(s);
  const colon = remainder.indexOf(':');
  const remote = colon >= 0 ? remainder.slice(0, colon) : remainder;
  if (remote.toLowerCase() !== remote) throw fail('uppercase', `repository name (${remote}) must be lowercase`);

  let rest = remainder;
  let digest: string | undefined;
  let tag: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) [rest, digest] = [rest.slice(0, at), rest.slice(at + 1)];
  const tagColon = rest.lastIndexOf(':');
  if (tagColon >= 0) [rest, tag] = [rest.slice(0, tagColon), rest.slice(tagColon + 1)];

  if (!DOMAIN.test(domain)) throw fail('domain', `"${domain}" is not a valid registry domain (host[:port])`);
  if (!REMOTE_NAME.test(rest)) {
    throw fail(
      'path-component',
      `repository path "${rest}" must be "/"-separated components of lowercase letters and digits, joined by ".", "_", "__" or "-"`,
    );
  }
  if (rest.length > NAME_TOTAL_LENGTH_MAX) {
    throw fail('too-long', `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  if (tag !== undefined && !TAG.test(tag)) {
    throw fail('tag', `tag "${tag}" must be 1 to 128 letters, digits, "_", "." or "-", and not start with "." or "-"`);
  }
  const ref: Reference = { domain, path: rest };
  if (digest !== undefined) {
    if (!DIGEST.test(digest)) throw fail('digest', `"${digest}" is not a digest (algorithm:hex)`);
    try {
      ref.digest = parseDigest(digest);
    } catch (err) {
      throw fail('digest', (err as Error).message);
    }
  }
  if (tag !== undefined) ref.tag = tag;
  else if (digest === undefined) ref.tag = DEFAULT_TAG;
  return ref;
}

/** `domain/path`, the full repository name: `docker.io/library/busybox`. */
export function repositoryName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The full normalised string: `docker.io/library/busybox:latest`, `localhost:5000/a@sha256:…`. */
export function formatReference(ref: Reference): string {
  return repositoryName(ref) + (ref.tag === undefined ? '' : `:${ref.tag}`) + (ref.digest === undefined ? '' : `@${ref.digest}`);
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
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  const official = ref.path.startsWith(OFFICIAL_REPO_PREFIX) ? ref.path.slice(OFFICIAL_REPO_PREFIX.length) : undefined;
  return official !== undefined && !official.includes('/') ? official : ref.path;
}

/** The familiar name with its tag and digest, as docker prints it: `busybox:latest`, `user/app@sha256:…`. */
export function familiarString(ref: Reference): string {
  return familiarName(ref) + (ref.tag === undefined ? '' : `:${ref.tag}`) + (ref.digest === undefined ? '' : `@${ref.digest}`);
}
