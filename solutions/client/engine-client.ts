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
    let res = await this.send('HEAD', '/_ping', {});
    if (res.statusCode !== 200 && res.statusCode !== 500) {
      res.resume();
      res = await this.send('GET', '/_ping', {});
    }
    const body = await readText(res);
    const status = res.statusCode ?? 0;
    if (status >= 400) throw errorFromResponse(status, body);
    return {
      apiVersion: headerOf(res, 'api-version'),
      osType: headerOf(res, 'ostype'),
      experimental: headerOf(res, 'docker-experimental') === 'true',
    };
  }

  /**
   * The API version used for requests: the pinned one if given, else the lower
   * of the daemon's `Api-Version` and {@link CLIENT_MAX_API_VERSION}, else
   * FALLBACK_API_VERSION when the daemon sent no header. Pings once, then caches.
   * Versions compare as numbers: 1.9 < 1.24 < 1.41. A failed ping is not cached.
   */
  async negotiate(): Promise<string> {
    if (this.pinnedVersion !== undefined) return this.pinnedVersion;
    this.negotiation ??= this.ping().then(
      ({ apiVersion }) => {
        if (apiVersion === undefined) return FALLBACK_API_VERSION;
        return compareVersions(apiVersion, CLIENT_MAX_API_VERSION) < 0 ? apiVersion : CLIENT_MAX_API_VERSION;
      },
      (err: unknown) => {
        this.negotiation = undefined;
        throw err;
      },
    );
    return this.negotiation;
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
    const version = await this.negotiate();
    const res = await this.send(method, `/v${version}${path}`, options);
    const status = res.statusCode ?? 0;
    if (status >= 400) throw errorFromResponse(status, await readText(res));
    return res;
  }

  /**
   * Like {@link request}, then reads the whole body as JSON.
   * @returns the parsed body, or undefined for an empty body (e.g. 204, or 304 from start/stop).
   * @throws as {@link request} does; a SyntaxError when the body is not JSON.
   */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const text = await readText(await this.request(method, path, options));
    return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * Like {@link request}, for newline-delimited JSON streams (pull and push
   * progress): yields each object as soon as its line is complete. Blank lines
   * are skipped; a last line without a newline is still read. Objects carrying
   * `error`/`errorDetail` are yielded like any other: the caller decides.
   * Stopping the iteration early closes the response.
   */
  async *jsonLines<T>(method: string, path: string, options: RequestOptions = {}): AsyncGenerator<T> {
    const res = await this.request(method, path, options);
    res.setEncoding('utf8'); // a character split across two chunks stays whole
    let pending = '';
    for await (const chunk of res as AsyncIterable<string>) {
      pending += chunk;
      let end: number;
      while ((end = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, end).trim();
        pending = pending.slice(end + 1);
        if (line !== '') yield JSON.parse(line) as T;
      }
    }
    if (pending.trim() !== '') yield JSON.parse(pending) as T;
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
    const version = await this.negotiate();
    const req = openRequest(wireRequest(this.target, method, `/v${version}${path}`, options, true));
    return new Promise<Duplex>((resolve, reject) => {
      req.on('error', (err) => reject(connectionError(err, this.socketPath)));
      req.on('upgrade', (_res: IncomingMessage, socket: Socket, head: Buffer) => {
        if (head.length > 0) socket.unshift(head);
        resolve(options.signal ? addAbortSignal(options.signal, socket) : socket);
      });
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const failed = (cause?: EngineError) =>
          reject(new Error(`unable to upgrade to tcp, received ${status}`, cause && { cause }));
        // A 2xx may be a raw stream that never ends: do not wait for its body.
        if (status < 400) {
          res.destroy();
          return failed();
        }
        readText(res).then((body) => failed(errorFromResponse(status, body)), () => failed());
      });
    });
  }

  /** Sends one request (`path` as given: add the version first) and resolves with the response, whatever its status. */
  private send(method: string, path: string, options: RequestOptions): Promise<IncomingMessage> {
    return responseOf(openRequest(wireRequest(this.target, method, path, options, false)), this.socketPath);
  }
}

/** Compares dotted versions field by field as numbers: negative when a < b. */
function compareVersions(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const diff = (Number.parseInt(x[i] ?? '0', 10) || 0) - (Number.parseInt(y[i] ?? '0', 10) || 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
