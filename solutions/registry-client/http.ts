/**
 * The registry transport: `fetch` plus what every distribution request
 * needs, in one place.
 *
 * ```
 * request ──▶ fetch ──▶ 401? ──▶ answer the WWW-Authenticate challenge, cache it per scope, send again (once)
 *                  └──▶ 5xx or network error? ──▶ wait (backoff doubles), send again (bounded attempts)
 *                  └──▶ an expected status ──▶ the Response; anything else ──▶ RegistryResponseError
 * ```
 * Plain HTTP is used for loopback registries (`localhost`, `127.0.0.0/8`,
 * `::1`), as docker treats them as insecure by default; HTTPS for every other one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { basicAuthorization, fetchToken, parseChallenges } from './auth.js';
import type { AuthConfig } from './auth.js';
import { RegistryResponseError, responseErrorFrom } from './errors.js';

/** How often, and how patiently, a failed request is sent again. */
export interface RetryOptions {
  /** Attempts in all, the first one included (default 3). */
  attempts: number;
  /** The wait before the second attempt, in ms; it doubles each time (default 250). */
  backoffMs: number;
}

/** What a {@link RegistryHttp} talks to, and as whom. */
export interface RegistryHttpOptions {
  /** The registry's `host[:port]`: `127.0.0.1:5000`, `localhost:5000`, `registry.example.com`. */
  registry: string;
  /** Credentials for the registry's challenges; anonymous when absent. */
  auth?: AuthConfig;
  /** Plain HTTP even for a registry that is not on loopback. */
  insecure?: boolean;
  /** Retries of 5xx answers and network errors. */
  retry?: Partial<RetryOptions>;
}

/** One request to the registry. */
export interface RegistryRequest {
  /** `GET` unless given. */
  method?: string;
  /** A path (`/v2/x/manifests/latest`) or an absolute URL (an upload's `Location`). */
  path: string;
  /** The token scope the request needs: `repository:x:pull` (see repositoryScope). */
  scope: string;
  headers?: Record<string, string>;
  /** Bytes can be sent again on a retry; a stream is sent once. */
  body?: Uint8Array | string | AsyncIterable<Uint8Array>;
  /** The statuses the caller handles (default: any 2xx). */
  expect?: readonly number[];
}

/** The default retry policy: three attempts, 250 ms then 500 ms apart. */
export const DEFAULT_RETRY: RetryOptions = { attempts: 3, backoffMs: 250 };

/**
 * The base URL of a registry: `http://` for loopback hosts (or when
 * `insecure`), `https://` otherwise. `127.0.0.1:5000` → `http://127.0.0.1:5000`.
 */
export function registryUrl(registry: string, insecure = false): string {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.replace(/:\d+$/, '');
  const loopback = host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  return `${insecure || loopback ? 'http' : 'https'}://${registry}`;
}

/** True for a 5xx status, the answers worth sending a request again for. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 && status <= 599;
}

/** A transport to one registry; auth tokens are cached per scope for its lifetime. */
export class RegistryHttp {
  /** `http://127.0.0.1:5000`: where every path is sent. */
  readonly baseUrl: string;
  /** The retry policy in use. */
  readonly retry: RetryOptions;
  readonly #auth: AuthConfig | undefined;
  // scope → Authorization value; '' holds a Basic answer, good for every scope.
  readonly #authorizations = new Map<string, string>();

  constructor(options: RegistryHttpOptions) {
    this.baseUrl = registryUrl(options.registry, options.insecure);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#auth = options.auth;
  }

  /** Resolves a path or a `Location` header (relative or absolute) against the registry. */
  url(pathOrLocation: string): URL {
    return new URL(pathOrLocation, this.baseUrl);
  }

  /**
   * Sends a request, answering one auth challenge and retrying 5xx answers
   * and network errors (bodies that are bytes only) with backoff.
   * @returns the response, when its status is expected; the caller reads or cancels its body.
   * @throws RegistryResponseError for any other status (a 401 that credentials could not answer included);
   *   the network error when the last attempt failed.
   */
  async request(req: RegistryRequest): Promise<Response> {
    const method = req.method ?? 'GET';
    const url = this.url(req.path);
    const what = `${method} ${url.href}`;
    const replayable = req.body === undefined || typeof req.body === 'string' || req.body instanceof Uint8Array;
    let challenged = false;
    for (let attempt = 1; ; attempt++) {
      const authorization = this.#authorizations.get(req.scope) ?? this.#authorizations.get('');
      const headers = { ...req.headers, ...(authorization === undefined ? {} : { authorization }) };
      let response: Response;
      try {
        response = await fetch(url, { method, headers, body: req.body as RequestInit['body'], duplex: 'half', redirect: 'follow' } as RequestInit);
      } catch (err) {
        if (!replayable || attempt >= this.retry.attempts) throw err;
        await sleep(this.backoff(attempt));
        continue;
      }
      if (response.status === 401 && !challenged && replayable) {
        challenged = true;
        const header = response.headers.get('www-authenticate');
        await response.body?.cancel();
        if (await this.#answer(header, req.scope)) {
          attempt--; // answering a challenge is not a failed attempt
          continue;
        }
        throw new RegistryResponseError(401, 'UNAUTHORIZED', what, `${what}: authentication required (${header ?? 'no challenge'}) and no credentials answer it`);
      }
      if (isRetryableStatus(response.status) && replayable && attempt < this.retry.attempts) {
        await response.body?.cancel();
        await sleep(this.backoff(attempt));
        continue;
      }
      const ok = req.expect === undefined ? response.ok : req.expect.includes(response.status);
      if (ok) return response;
      throw await responseErrorFrom(response, what);
    }
  }

  /** The wait after failed attempt `attempt` (1-based): backoffMs, then twice that, … */
  backoff(attempt: number): number {
    return this.retry.backoffMs * 2 ** (attempt - 1);
  }

  /** Answers a challenge for `scope`; false when there is none this client can answer. */
  async #answer(header: string | null, scope: string): Promise<boolean> {
    for (const challenge of parseChallenges(header)) {
      if (challenge.scheme === 'bearer') {
        // The token asks for the operation's scope, not the challenge's: a HEAD
        // during a push is challenged for "pull", yet the upload after it needs "pull,push".
        this.#authorizations.set(scope, `Bearer ${await fetchToken(challenge, scope, this.#auth)}`);
        return true;
      }
      if (challenge.scheme === 'basic') {
        const basic = basicAuthorization(this.#auth);
        if (basic === undefined) return false;
        this.#authorizations.set('', basic);
        return true;
      }
    }
    return false;
  }
}
