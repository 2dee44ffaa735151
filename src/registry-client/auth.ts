/**
 * Registry authentication: the credentials docker sends (an AuthConfig, base64
 * JSON in `X-Registry-Auth`) and the two challenges a registry answers a 401 with
 * (RFC 7235 `WWW-Authenticate`):
 *
 * ```
 * Basic realm="registry"                          → retry with Authorization: Basic base64(user:pass)
 * Bearer realm="https://auth.example/token",      → GET <realm>?service=registry.example&scope=repository:x:pull
 *        service="registry.example",                 (Basic credentials when given) → {"token": "…"}
 *        scope="repository:x:pull"                 → retry with Authorization: Bearer <token>
 * ```
 */
import { InvalidParameterError } from '../errdefs.js';
import { NotImplementedError } from '../errors.js';
import { RegistryResponseError } from './errors.js';

/**
 * Docker's AuthConfig, as the CLI sends it in `X-Registry-Auth` and keeps it
 * in `~/.docker/config.json`. Every field is optional: `{}` means anonymous.
 */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64 of `username:password`, as config.json stores it. */
  auth?: string;
  /** An OAuth2 refresh token from `docker login`, traded for access tokens. */
  identitytoken?: string;
  /** A bearer token to send as it is. */
  registrytoken?: string;
  /** The registry these credentials are for. */
  serveraddress?: string;
  email?: string;
}

/** One challenge of a `WWW-Authenticate` header. */
export interface Challenge {
  /** The auth scheme, lowercased: `bearer`, `basic`. */
  scheme: string;
  /** The auth parameters, names lowercased, quoted values unescaped: `realm`, `service`, `scope`. */
  params: Record<string, string>;
}

/**
 * Decodes an `X-Registry-Auth` header: base64 (URL-safe or standard, padded or
 * not) of an AuthConfig JSON object.
 * @returns undefined for a missing or empty header.
 * @throws InvalidParameterError when the header is not base64 JSON of an object.
 */
export function decodeRegistryAuth(header: string | undefined): AuthConfig | undefined {
  // TODO(lesson-08): Decode the header (base64 of AuthConfig JSON); no header or an empty one means no credentials.
  // HINT: Buffer.from(header, 'base64') reads the URL-safe alphabet too; then JSON.parse the UTF-8 text.
  // HINT: Anything that is not a JSON object: throw new InvalidParameterError('invalid X-Registry-Auth header: …').
  void header;
  throw new NotImplementedError('lesson-08: decodeRegistryAuth');
}

// A challenge is `scheme param=value, param="quoted value"`; several may share one header.
const TOKEN = /\s*,?\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)/y;
const PARAM = /\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([!#$%&'*+.^_`|~0-9A-Za-z/:-]*))/y;

/**
 * Parses a `WWW-Authenticate` header into its challenges (RFC 7235 §4.1):
 * `Bearer realm="…",service="…"` → `[{ scheme: 'bearer', params: { realm, service } }]`.
 * @returns the challenges in order; `[]` for a missing or unreadable header.
 */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  // TODO(lesson-08): Split the header into challenges: a scheme token, then name=value or name="quoted" parameters.
  // HINT: TOKEN and PARAM above are sticky (/y) regexes: set lastIndex, exec, and move on to the new lastIndex.
  // HINT: A token not followed by "=" starts a new challenge; lowercase schemes and parameter names; unescape \" in quoted values.
  void header;
  throw new NotImplementedError('lesson-08: parseChallenges');
}

/**
 * The `Authorization` value for a Basic challenge.
 * @returns undefined when the AuthConfig has no username and password (nor `auth`).
 */
export function basicAuthorization(auth: AuthConfig | undefined): string | undefined {
  // TODO(lesson-08): Build `Basic base64(username:password)` (or `Basic <auth>` when auth is set); undefined without credentials.
  void auth;
  throw new NotImplementedError('lesson-08: basicAuthorization');
}

/** The token scope of a repository: `repository:library/busybox:pull,push`. */
export function repositoryScope(repository: string, actions: readonly ('pull' | 'push')[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}

/**
 * Gets a bearer token for `scope` from the challenge's realm (Docker's token
 * authentication): `GET <realm>?service=<service>&scope=<scope>`, with Basic
 * credentials when the AuthConfig has them; with an `identitytoken`, an OAuth2
 * `POST` of `grant_type=refresh_token` instead. A `registrytoken` is used as it is.
 * @returns the token (the response's `token`, or `access_token`).
 * @throws RegistryResponseError (401, `UNAUTHORIZED`) when the token server refuses or answers without a token.
 */
export async function fetchToken(challenge: Challenge, scope: string, auth: AuthConfig | undefined): Promise<string> {
  // TODO(lesson-08): Ask the challenge's realm for a token for `scope` and return the response's token or access_token.
  // HINT: new URL(realm), searchParams service (when the challenge has one) and scope; Basic credentials via basicAuthorization(auth).
  // HINT: A registrytoken is returned as it is; an identitytoken is POSTed as an OAuth2 refresh_token form instead.
  // HINT: A refusal, or a body without a token: throw new RegistryResponseError(401, 'UNAUTHORIZED', `GET ${url.href}`, '…').
  void challenge, scope, auth;
  throw new NotImplementedError('lesson-08: fetchToken');
}
