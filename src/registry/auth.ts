/**
 * Optional authentication, as distribution does it:
 *
 * - **basic** (`--htpasswd FILE`): every request carries `Authorization: Basic …`
 *   for a user of the htpasswd file; otherwise 401 with `WWW-Authenticate: Basic realm=…`.
 * - **token** (`--auth token`): every request carries `Authorization: Bearer <token>`;
 *   otherwise 401 with `WWW-Authenticate: Bearer realm="…/token",service="minidocker-registry",scope="repository:NAME:pull,push"`.
 *   The client asks the realm (`GET /token?service=…&scope=…`, served by this
 *   same registry) with Basic credentials of the htpasswd file and gets a token
 *   for that scope: `base64url(claims).base64url(HMAC-SHA256(claims))`, checked on every request.
 *
 * htpasswd lines are `user:hash`, where hash is bcrypt (`$2y$…`, what
 * `htpasswd -B` writes and distribution requires) or `{SHA}base64(sha1)` (`htpasswd -s`).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { RegistryError } from './errors.js';
import { NotImplementedError } from '../errors.js';

/** The `service` of tokens and challenges. */
export const TOKEN_SERVICE = 'minidocker-registry';
/** How long a token is valid. */
export const TOKEN_LIFETIME_SECONDS = 300;

/** What a request needs: `repository:<name>:<actions>`, or none for `/v2/` itself. */
export interface Scope {
  type: 'repository' | 'registry';
  name: string;
  actions: string[];
}

/** The claims inside a token. */
interface Claims {
  sub: string;
  aud: string;
  exp: number;
  access: Scope[];
}

/**
 * Reads an htpasswd file into user → hash.
 * @throws the file system's error for a missing file.
 */
export async function loadHtpasswd(file: string): Promise<Map<string, string>> {
  // TODO(lesson-07): Read `user:hash` lines into a Map, skipping blank lines and # comments.
  throw new NotImplementedError('lesson-07: loadHtpasswd');
}

/** Whether `password` matches an htpasswd hash (bcrypt or `{SHA}`); any other scheme never matches. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  // TODO(lesson-07): Check a bcrypt hash ($2a$/$2b$/$2y$) with bcrypt.compare and a {SHA} one against base64(sha1(password)); anything else never matches.
  throw new NotImplementedError('lesson-07: verifyPassword');
}

/** The scope a request needs: pull to read, push to write; `null` for `/v2/` (any valid credentials). */
export function requiredScope(method: string, name: string | undefined): Scope | null {
  // TODO(lesson-07): Return null for /v2/, registry:catalog:* for _catalog, repository:<name>:pull to read and pull,push to write.
  throw new NotImplementedError('lesson-07: requiredScope');
}

/** Checks credentials and issues tokens; one per registry. */
export class Authenticator {
  readonly #secret = randomBytes(32);

  /**
   * @param mode `basic` or `token`.
   * @param users the htpasswd entries.
   * @param realm the token endpoint's URL (token mode), e.g. `http://127.0.0.1:5000/token`.
   */
  constructor(
    readonly mode: 'basic' | 'token',
    readonly users: Map<string, string>,
    public realm: string,
  ) {}

  /**
   * Lets a request through or refuses it.
   * @throws RegistryError UNAUTHORIZED (401) with the `WWW-Authenticate` challenge.
   */
  async authorize(authorization: string | undefined, scope: Scope | null): Promise<void> {
    // TODO(lesson-07): Basic: accept valid Basic credentials; token: accept a valid token covering the scope; otherwise throw UNAUTHORIZED with the matching WWW-Authenticate challenge.
    // HINT: Bearer realm="<realm>",service="minidocker-registry",scope="repository:<name>:<actions>" — no scope for /v2/.
    throw new NotImplementedError('lesson-07: Authenticator.authorize');
  }

  /** The user of valid `Basic` credentials, or undefined. */
  async basicUser(authorization: string | undefined): Promise<string | undefined> {
    // TODO(lesson-07): Decode `Basic base64(user:password)` and return the user when verifyPassword accepts it.
    throw new NotImplementedError('lesson-07: Authenticator.basicUser');
  }

  /**
   * Answers `GET /token?service=…&scope=…`: a signed token granting every
   * scope asked for (there are no per-repository permissions).
   * @returns the body `{token, access_token, expires_in, issued_at}`.
   * @throws RegistryError UNAUTHORIZED without valid Basic credentials.
   */
  async issueToken(authorization: string | undefined, scopes: string[]): Promise<Record<string, unknown>> {
    // TODO(lesson-07): Check Basic credentials, then sign claims {sub, aud, exp, access} for the scopes asked for and return {token, access_token, expires_in, issued_at}.
    throw new NotImplementedError('lesson-07: Authenticator.issueToken');
  }

  #sign(payload: string): string {
    // TODO(lesson-07): Return the base64url HMAC-SHA256 of the payload with this.#secret.
    throw new NotImplementedError('lesson-07: Authenticator.sign');
  }

  #verify(authorization: string | undefined): Claims | undefined {
    // TODO(lesson-07): Split `Bearer payload.signature`, compare the signature with safeEqual, then return the claims unless expired or for another audience.
    throw new NotImplementedError('lesson-07: Authenticator.verify');
  }
}

/** `repository:library/busybox:pull,push` → type, name, actions (the name may hold no colon). */
function splitScope(scope: string): [string, string, string] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return ['', '', ''];
  return [scope.slice(0, first), scope.slice(first + 1, last), scope.slice(last + 1)];
}

function covers(granted: Scope[], wanted: Scope): boolean {
  return wanted.actions.every((action) =>
    granted.some((g) => g.type === wanted.type && g.name === wanted.name && (g.actions.includes(action) || g.actions.includes('*'))),
  );
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const unauthorized = (challenge: string) =>
  new RegistryError('UNAUTHORIZED', 'authentication required', { headers: { 'WWW-Authenticate': challenge } });
