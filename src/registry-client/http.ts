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
import { NotImplementedError } from '../errors.js';
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
  // TODO(lesson-08): Return http://<registry> for loopback hosts (localhost, 127.x.x.x, [::1]) or when insecure, https:// otherwise.
  // HINT: Strip the port first: `[::1]:5000` → `::1`, `localhost:5000` → `localhost`.
  void registry, insecure;
  throw new NotImplementedError('lesson-08: registryUrl');
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
    // TODO(lesson-08): Send the request with fetch; answer one 401 challenge, retry 5xx and network errors, and check the status.
    // HINT: fetch(this.url(req.path), { method, headers, body, duplex: 'half' } as RequestInit); add the cached Authorization for req.scope (or '').
    // HINT: 401 (once, replayable body): cancel the body, `await this.#answer(header, req.scope)`, then send again; false → throw a 401 RegistryResponseError.
    // HINT: 5xx or a fetch that rejects: sleep(this.backoff(attempt)) and try again, up to this.retry.attempts; only bytes can be sent twice.
    // HINT: Return the response if its status is in req.expect (default: response.ok), else throw await responseErrorFrom(response, what).
    void req;
    throw new NotImplementedError('lesson-08: RegistryHttp.request');
  }

  /** The wait after failed attempt `attempt` (1-based): backoffMs, then twice that, … */
  backoff(attempt: number): number {
    return this.retry.backoffMs * 2 ** (attempt - 1);
  }

  /** Answers a challenge for `scope`; false when there is none this client can answer. */
  async #answer(header: string | null, scope: string): Promise<boolean> {
    // TODO(lesson-08): Answer the first Bearer or Basic challenge of the header and cache the Authorization value; false when none can be answered.
    // HINT: Bearer: this.#authorizations.set(scope, `Bearer ${await fetchToken(challenge, scope, this.#auth)}`).
    // HINT: Basic: basicAuthorization(this.#auth), cached under '' (good for every scope); no credentials → false.
    void header, scope;
    throw new NotImplementedError('lesson-08: RegistryHttp.#answer');
  }
}
