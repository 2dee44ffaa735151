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
  if (header === undefined || header.trim() === '') return undefined;
  let parsed: unknown;
  try {
    // Node's base64 decoder reads both alphabets; docker's CLI sends the URL-safe one.
    parsed = JSON.parse(Buffer.from(header.trim(), 'base64').toString('utf8'));
  } catch (err) {
    throw new InvalidParameterError(`invalid X-Registry-Auth header: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidParameterError('invalid X-Registry-Auth header: not a JSON object');
  }
  return parsed as AuthConfig;
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
  const challenges: Challenge[] = [];
  if (header == null) return challenges;
  let at = 0;
  while (at < header.length) {
    TOKEN.lastIndex = at;
    const name = TOKEN.exec(header);
    if (name === null) break;
    at = TOKEN.lastIndex;
    PARAM.lastIndex = at;
    const value = PARAM.exec(header);
    if (value === null) {
      // A token with no "=" after it starts the next challenge.
      challenges.push({ scheme: (name[1] ?? '').toLowerCase(), params: {} });
      continue;
    }
    at = PARAM.lastIndex;
    const current = challenges.at(-1);
    if (current === undefined) break; // parameters before any scheme: not a challenge
    current.params[(name[1] ?? '').toLowerCase()] = value[1] !== undefined ? value[1].replace(/\\(.)/g, '$1') : (value[2] ?? '');
  }
  return challenges;
}

/**
 * The `Authorization` value for a Basic challenge.
 * @returns undefined when the AuthConfig has no username and password (nor `auth`).
 */
export function basicAuthorization(auth: AuthConfig | undefined): string | undefined {
  if (auth?.auth) return `Basic ${auth.auth}`;
  if (auth?.username === undefined || auth.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
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
  if (auth?.registrytoken) return auth.registrytoken;
  const realm = challenge.params.realm;
  if (realm === undefined) throw new RegistryResponseError(401, 'UNAUTHORIZED', 'token', 'the Bearer challenge names no realm');
  const url = new URL(realm);
  const service = challenge.params.service;
  let response: Response;
  if (auth?.identitytoken) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: auth.identitytoken, client_id: 'minidocker', scope });
    if (service !== undefined) form.set('service', service);
    response = await fetch(url, { method: 'POST', body: form });
  } else {
    if (service !== undefined) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    const basic = basicAuthorization(auth);
    response = await fetch(url, { headers: basic === undefined ? {} : { authorization: basic } });
  }
  const body = (await response.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
  const token = typeof body.token === 'string' && body.token !== '' ? body.token : body.access_token;
  if (!response.ok || typeof token !== 'string' || token === '') {
    throw new RegistryResponseError(401, 'UNAUTHORIZED', `${auth?.identitytoken ? 'POST' : 'GET'} ${url.href}`, `token server ${url.origin} refused (${response.status}) scope ${scope}`);
  }
  return token;
}
