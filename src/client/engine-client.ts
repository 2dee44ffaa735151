/**
 * The Engine API client: HTTP over the daemon's unix socket.
 *
 * ```
 * EngineClient ──HEAD /_ping──▶ daemon      (once: learn Api-Version)
 *              ──GET /v1.41/containers/json▶ (every later call is versioned)
 *              ◀─{"message": …} + 4xx/5xx──  (turned into errdefs classes)
 * ```
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { NotImplementedError } from '../errors.js';
import type { EngineError } from '../api/errdefs.js';

/** How to reach the daemon. */
export interface EngineClientOptions {
  /** Path of the daemon's unix socket. */
  socketPath: string;
  /** Use this API version instead of negotiating one (like `DOCKER_API_VERSION`). */
  version?: string;
  /** The `User-Agent` header; defaults to `minidocker/<version>`. */
  userAgent?: string;
}

/** A query value: `true` travels as `1`, `false` as `0`; arrays repeat the key; undefined is left out. */
export type QueryValue = string | number | boolean | string[] | undefined;

/** Options of one request. */
export interface RequestOptions {
  /** Query parameters, encoded with URLSearchParams. */
  query?: Record<string, QueryValue>;
  /** A body to send as JSON (`Content-Type: application/json`); none when undefined. */
  body?: unknown;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Aborts the request (and a streamed response) when signalled. */
  signal?: AbortSignal;
}

/** What `/_ping` told us. */
export interface PingResult {
  /** The `Api-Version` header, or undefined when the daemon sent none. */
  apiVersion: string | undefined;
  /** The `Ostype` header, e.g. `linux`. */
  osType: string | undefined;
  /** The `Docker-Experimental` header as a boolean. */
  experimental: boolean;
}

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

  constructor(options: EngineClientOptions) {
    this.socketPath = options.socketPath;
    // TODO(lesson-01): Keep the options you need (pinned version, user agent).
    void options;
  }

  /**
   * Sends `HEAD /_ping`; if the status is neither 200 nor 500, retries with
   * `GET /_ping`, as the docker CLI does.
   * @throws DaemonUnreachableError when no daemon listens on the socket.
   */
  async ping(): Promise<PingResult> {
    // TODO(lesson-01): Ping the daemon and read its Api-Version, Ostype and Docker-Experimental headers.
    throw new NotImplementedError('lesson-01: EngineClient.ping');
  }

  /**
   * The API version used for requests: the pinned one if given, else the lower
   * of the daemon's `Api-Version` and {@link CLIENT_MAX_API_VERSION}, else
   * FALLBACK_API_VERSION when the daemon sent no header. Pings once, then caches.
   */
  async negotiate(): Promise<string> {
    // TODO(lesson-01): Negotiate the API version once and remember it.
    throw new NotImplementedError('lesson-01: EngineClient.negotiate');
  }

  /**
   * Sends a request to `/v<version><path>` and resolves with the response once
   * its headers arrive, so the caller can stream the body.
   * @throws an EngineError subclass (see {@link errorFromResponse}) for status ≥ 400,
   *   DaemonUnreachableError when the socket does not answer.
   */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<IncomingMessage> {
    // TODO(lesson-01): Send a versioned request over the socket and turn error statuses into typed errors.
    void method, path, options;
    throw new NotImplementedError('lesson-01: EngineClient.request');
  }

  /**
   * Like {@link request}, then reads the whole body as JSON.
   * @returns the parsed body, or undefined for an empty body (e.g. 204).
   */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    // TODO(lesson-01): Read the response body and parse it as JSON.
    void method, path, options;
    throw new NotImplementedError('lesson-01: EngineClient.json');
  }

  /**
   * Like {@link request}, for newline-delimited JSON streams (pull and push
   * progress): yields each object as soon as its line is complete.
   */
  async *jsonLines<T>(method: string, path: string, options: RequestOptions = {}): AsyncGenerator<T> {
    // TODO(lesson-01): Yield one parsed object per line of the streamed body.
    void method, path, options;
    throw new NotImplementedError('lesson-01: EngineClient.jsonLines');
  }

  /**
   * Sends a request with `Connection: Upgrade` and `Upgrade: tcp` (attach,
   * exec start) and hands back the raw connection after `101 UPGRADED`.
   * Bytes that arrived together with the response headers are not lost.
   * @throws an Error "unable to upgrade to tcp, received <status>" for any other status.
   */
  async hijack(method: string, path: string, options: RequestOptions = {}): Promise<Duplex> {
    // TODO(lesson-01): Upgrade the connection and return the socket as a duplex stream.
    void method, path, options;
    throw new NotImplementedError('lesson-01: EngineClient.hijack');
  }
}

/**
 * Turns an error response into the matching errdefs class, keeping the status:
 * the message comes from a JSON body's `message`, else the body text, else the
 * status line. 400 → InvalidParameterError, 404 → NotFoundError,
 * 409 → ConflictError, 304 → NotModifiedError, anything else → SystemError.
 */
export function errorFromResponse(statusCode: number, body: string): EngineError {
  // TODO(lesson-01): Map the status code to an errdefs class and extract the daemon's message.
  void statusCode, body;
  throw new NotImplementedError('lesson-01: errorFromResponse');
}
