/**
 * Raw HTTP over a unix socket, the way the checks talk to a daemon without
 * any lesson's client code: one request, the whole reply, as text or as bytes
 * (multiplexed log frames are binary).
 *
 * ```ts
 * const res = await httpRequest(daemon.socketPath, { path: '/_ping' });          // body: string
 * const logs = await httpRequestBytes(daemon.socketPath, { path: '/v1.41/containers/x/logs?stdout=1' });  // body: Buffer
 * ```
 */
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';

/** Options of {@link httpRequest} and {@link httpRequestBytes}. */
export interface HttpRequestOptions {
  method?: string;
  /** The request target, e.g. `/v1.41/version?x=1`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** An agent to reuse connections (keep-alive); by default every request gets its own connection. */
  agent?: http.Agent;
  /** Gives up after this many ms (default 10 000). */
  timeoutMs?: number;
}

/** A reply as it came over the wire, its body as UTF-8 text. */
export interface HttpResponse {
  status: number;
  /** Header names are lower-case, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text ('' when there is none). */
  body: string;
}

/** A reply with its body as bytes. */
export interface BinaryResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Sends one HTTP request over a unix socket (`Host: api.moby.localhost`, as
 * the docker CLI sends) and reads the whole reply as bytes.
 * @throws Error when the connection fails or no whole reply comes in time.
 */
export function httpRequestBytes(socketPath: string, options: HttpRequestOptions): Promise<BinaryResponse> {
  const method = options.method ?? 'GET';
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath,
        method,
        path: options.path,
        headers: { Host: 'api.moby.localhost', ...options.headers },
        agent: options.agent ?? false,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${options.path} got no whole reply in time`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends one HTTP request over a unix socket and reads the whole reply as text. */
export async function httpRequest(socketPath: string, options: HttpRequestOptions): Promise<HttpResponse> {
  const res = await httpRequestBytes(socketPath, options);
  return { ...res, body: res.body.toString('utf8') };
}

/** Resolves true when something accepts a connection on `socketPath`, false otherwise. */
export function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
