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
  const users = new Map<string, string>();
  for (const line of (await fs.readFile(file, 'utf8')).split('\n')) {
    const trimmed = line.trim();
    const colon = trimmed.indexOf(':');
    if (trimmed === '' || trimmed.startsWith('#') || colon < 1) continue;
    users.set(trimmed.slice(0, colon), trimmed.slice(colon + 1));
  }
  return users;
}

/** Whether `password` matches an htpasswd hash (bcrypt or `{SHA}`); any other scheme never matches. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (/^\$2[aby]\$/.test(hash)) return bcrypt.compare(password, hash);
  if (hash.startsWith('{SHA}')) {
    return safeEqual(hash.slice(5), createHash('sha1').update(password).digest('base64'));
  }
  return false;
}

/** The scope a request needs: pull to read, push to write; `null` for `/v2/` (any valid credentials). */
export function requiredScope(method: string, name: string | undefined): Scope | null {
  if (name === undefined) return null;
  if (name === '_catalog') return { type: 'registry', name: 'catalog', actions: ['*'] };
  const read = method === 'GET' || method === 'HEAD';
  return { type: 'repository', name, actions: read ? ['pull'] : ['pull', 'push'] };
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
    if (this.mode === 'basic') {
      if ((await this.basicUser(authorization)) !== undefined) return;
      throw unauthorized(`Basic realm="${TOKEN_SERVICE}"`);
    }
    const claims = this.#verify(authorization);
    if (claims !== undefined && (scope === null || covers(claims.access, scope))) return;
    const scopeParam = scope === null ? '' : `,scope="${scope.type}:${scope.name}:${scope.actions.join(',')}"`;
    throw unauthorized(`Bearer realm="${this.realm}",service="${TOKEN_SERVICE}"${scopeParam}`);
  }

  /** The user of valid `Basic` credentials, or undefined. */
  async basicUser(authorization: string | undefined): Promise<string | undefined> {
    const m = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (m === null) return undefined;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const user = decoded.slice(0, colon);
    const hash = this.users.get(user);
    return hash !== undefined && (await verifyPassword(hash, decoded.slice(colon + 1))) ? user : undefined;
  }

  /**
   * Answers `GET /token?service=…&scope=…`: a signed token granting every
   * scope asked for (there are no per-repository permissions).
   * @returns the body `{token, access_token, expires_in, issued_at}`.
   * @throws RegistryError UNAUTHORIZED without valid Basic credentials.
   */
  async issueToken(authorization: string | undefined, scopes: string[]): Promise<Record<string, unknown>> {
    const user = await this.basicUser(authorization);
    if (user === undefined) throw unauthorized(`Basic realm="${TOKEN_SERVICE}"`);
    const access = scopes.flatMap((s) => {
      const [type, name, actions] = splitScope(s);
      return type === 'repository' || type === 'registry' ? [{ type, name, actions: actions.split(',') } as Scope] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const claims: Claims = { sub: user, aud: TOKEN_SERVICE, exp: now + TOKEN_LIFETIME_SECONDS, access };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const token = `${payload}.${this.#sign(payload)}`;
    return { token, access_token: token, expires_in: TOKEN_LIFETIME_SECONDS, issued_at: new Date(now * 1000).toISOString() };
  }

  #sign(payload: string): string {
    return createHmac('sha256', this.#secret).update(payload).digest('base64url');
  }

  #verify(authorization: string | undefined): Claims | undefined {
    const m = /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/i.exec(authorization ?? '');
    if (m === null || !safeEqual(m[2]!, this.#sign(m[1]!))) return undefined;
    const claims = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as Claims;
    return claims.exp > Date.now() / 1000 && claims.aud === TOKEN_SERVICE ? claims : undefined;
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
