/**
 * The Engine API client: HTTP over the daemon's unix socket. The typed
 * functions of `containers.ts`, `images.ts` and `system.ts` (one per
 * endpoint) are built on its four ways to call: `request`, `json`,
 * `jsonLines` and `hijack`.
 *
 * ```
 * EngineClient ──HEAD /_ping──▶ daemon      (once: learn Api-Version)
 *              ──GET /v1.41/containers/json▶ (every later call is versioned)
 *              ◀─{"message": …} + 4xx/5xx──  (turned into errdefs classes)
 * ```
 */
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { addAbortSignal } from 'node:stream';
import type { Duplex } from 'node:stream';
import type { EngineError } from '../errdefs.js';
import { FALLBACK_API_VERSION } from '../api/types.js';
import { NotImplementedError } from '../errors.js';
import { errorFromResponse } from './errors.js';
import { connectionError, headerOf, openRequest, readText, responseOf } from './http-transport.js';
import { DEFAULT_USER_AGENT, wireRequest } from './request-options.js';
import type { EngineClientOptions, PingResult, RequestOptions, RequestTarget } from './request-options.js';

/** The newest API version this client speaks; negotiation never goes above it. */
export const CLIENT_MAX_API_VERSION = '1.41';

/**
 * A client for the Engine API on a unix socket. Every method except `ping`
 * negotiates the API version first (once per client) and prefixes paths with
 * `/v<version>`.
 */
export class EngineClient {
  /** Path of the daemon's unix socket. */
  readonly socketPath: string;
  /** The `version` option: when set, no ping is needed. */
  private readonly pinnedVersion: string | undefined;
  /** The first negotiation, shared by every later call. */
  private negotiation: Promise<string> | undefined;
  /** Socket, User-Agent and keep-alive pool (idle sockets do not keep the process alive), for wireRequest(). */
  private readonly target: RequestTarget;

  constructor(options: EngineClientOptions) {
    this.socketPath = options.socketPath;
    this.pinnedVersion = options.version;
    this.target = {
      socketPath: options.socketPath,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
      agent: new http.Agent({ keepAlive: true }),
    };
  }

  /**
   * Sends `HEAD /_ping`; if the status is neither 200 nor 500, retries with
   * `GET /_ping`, as the docker CLI does.
   * @throws DaemonUnreachableError when no daemon listens on the socket; an
   *   EngineError (see errorFromResponse) when the last ping's status is ≥ 400.
   */
  async ping(): Promise<PingResult> {
    // TODO(lesson-01): Ping the daemon and read its Api-Version, Ostype and Docker-Experimental headers.
    // HINT: this.send('HEAD', '/_ping', {}) resolves with the response whatever its status; res.resume() one you drop.
    // HINT: headerOf(res, 'api-version') (http-transport.ts) reads one header; a status ≥ 400 throws errorFromResponse(…).
    throw new NotImplementedError('lesson-01: EngineClient.ping');
  }

  /**
   * The API version used for requests: the pinned one if given, else the lower
   * of the daemon's `Api-Version` and {@link CLIENT_MAX_API_VERSION}, else
   * FALLBACK_API_VERSION when the daemon sent no header. Pings once, then caches.
   * Versions compare as numbers: 1.9 < 1.24 < 1.41. A failed ping is not cached.
   */
  async negotiate(): Promise<string> {
    // TODO(lesson-01): Negotiate the API version once and remember it.
    // HINT: Keep the promise in this.negotiation so that concurrent calls share one ping.
    // HINT: compareVersions() (bottom of this file) tells which of two versions is lower.
    throw new NotImplementedError('lesson-01: EngineClient.negotiate');
  }

  /**
   * Sends a request to `/v<version><path>` and resolves with the response once
   * its headers arrive, so the caller can stream the body. The path is sent as
   * given (image names keep their `/` and `:`). Statuses below 400, including
   * `304 Not Modified`, resolve normally.
   * @throws an EngineError subclass (see errorFromResponse) for status ≥ 400,
   *   DaemonUnreachableError when the socket does not answer.
   */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<IncomingMessage> {
    // TODO(lesson-01): Send a versioned request over the socket and turn error statuses into typed errors.
    // HINT: The path on the wire is `/v${version}${path}`; this.send() does the rest.
    // HINT: For a status ≥ 400, readText() the body and throw errorFromResponse(status, body).
    void method, path, options;
    throw new NotImplementedError('lesson-01: EngineClient.request');
  }

  /**
   * Like {@link request}, then reads the whole body as JSON.
   * @returns the parsed body, or undefined for an empty body (e.g. 204, or 304 from start/stop).
   * @throws as {@link request} does; a SyntaxError when the body is not JSON.
   */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    // TODO(lesson-01): Read the response body and parse it as JSON.
    // HINT: An empty body (204, 304) is undefined, not a JSON error.
    void method, path, options;
    throw new NotImplementedError('lesson-01: EngineClient.json');
  }

  /**
   * Like {@link request}, for newline-delimited JSON streams (pull and push
   * progress): yields each object as soon as its line is complete. Blank lines
   * are skipped; a last line without a newline is still read. Objects carrying
   * `error`/`errorDetail` are yielded like any other: the caller decides.
   * Stopping the iteration early closes the response.
   */
  async *jsonLines<T>(method: string, path: string, options: RequestOptions = {}): AsyncGenerator<T> {
    // TODO(lesson-01): Yield one parsed object per line of the streamed body.
    // HINT: res.setEncoding('utf8') keeps a multi-byte character whole when a chunk boundary splits it.
    // HINT: A chunk may end in the middle of a line: keep that tail until the next chunk completes it.
    void method, path, options;
    throw new NotImplementedError('lesson-01: EngineClient.jsonLines');
  }

  /**
   * Sends a request with `Connection: Upgrade` and `Upgrade: tcp` (attach,
   * exec start) and hands back the raw connection after `101 UPGRADED`.
   * Bytes that arrived together with the response headers are not lost.
   * The connection is a fresh one, never pooled; `end()` it to half-close.
   * @throws an Error "unable to upgrade to tcp, received <status>" for any other status
   *   (for status ≥ 400 its `cause` is the daemon's error, see errorFromResponse).
   */
  async hijack(method: string, path: string, options: RequestOptions = {}): Promise<Duplex> {
    // TODO(lesson-01): Upgrade the connection and return the socket as a duplex stream.
    // HINT: openRequest(wireRequest(this.target, …, true)); node:http then emits 'upgrade' (res, socket, head) for a 101,
    // HINT: and 'response' for any other status. socket.unshift(head) gives back the bytes that came with the headers.
    void method, path, options;
    throw new NotImplementedError('lesson-01: EngineClient.hijack');
  }

  /** Sends one request (`path` as given: add the version first) and resolves with the response, whatever its status. */
  private send(method: string, path: string, options: RequestOptions): Promise<IncomingMessage> {
    return responseOf(openRequest(wireRequest(this.target, method, path, options, false)), this.socketPath);
  }
}

/** Compares dotted versions field by field as numbers: negative when a < b. */
function compareVersions(a: string, b: string): number {
  // TODO(lesson-01): Compare the versions field by field as numbers.
  // HINT: '1.9' < '1.41' is false for strings, yet API 1.9 is older than 1.41.
  void a, b;
  throw new NotImplementedError('lesson-01: compareVersions');
}
