/**
 * HTTP/1.1 over a unix socket with node:http: the plumbing under EngineClient.
 *
 * ```
 * client ──POST /v1.41/containers/create?name=web──▶ /run/minidocker.sock
 *        ──Content-Type: application/json + body───▶
 *        ◀──201 + headers (resolves here)─────────── then the body as a stream
 * ```
 * Nothing here knows about API versions or error classes: EngineClient adds those.
 * Lesson 01 writes `encodeQuery`, `openRequest` and `connectionError`;
 * `responseOf`, `readText` and `headerOf` are given.
 */
import http from 'node:http';
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import { DaemonUnreachableError } from '../errdefs.js';

/** A query value: `true` travels as `1`, `false` as `0`; arrays repeat the key; undefined is left out. */
export type QueryValue = string | number | boolean | string[] | undefined;

/** One request as it goes on the wire. */
export interface WireRequest {
  /** Path of the daemon's unix socket. */
  socketPath: string;
  method: string;
  /** The full path, e.g. `/v1.41/containers/json`; a query is appended to it. */
  path: string;
  /** Query parameters, see {@link encodeQuery}. */
  query?: Record<string, QueryValue> | undefined;
  /** Sent as JSON with `Content-Type: application/json`; no body when undefined. */
  body?: unknown;
  /** Request headers; they win over the Content-Type set for a body. */
  headers: Record<string, string>;
  /** The keep-alive pool to use, or false for a connection of its own (hijack). */
  agent: Agent | false;
  /** Aborts the request and its response. */
  signal?: AbortSignal | undefined;
}

/**
 * Encodes query parameters the way the docker CLI does: `true` → `1`,
 * `false` → `0`, numbers as decimal text, arrays repeat the key, undefined is
 * left out.
 * @returns `?a=1&b=x&b=y`, or '' when nothing is left to send.
 */
export function encodeQuery(query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      params.append(key, typeof item === 'boolean' ? (item ? '1' : '0') : String(item));
    }
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * Starts a request over the unix socket and sends it completely (body
 * included). Listen for `response` (or `upgrade`) and `error` on the result.
 */
export function openRequest(wire: WireRequest): ClientRequest {
  const headers: Record<string, string> = {};
  let payload: Buffer | undefined;
  if (wire.body !== undefined) {
    payload = Buffer.from(JSON.stringify(wire.body));
    headers['Content-Type'] = 'application/json';
  }
  const query = encodeQuery(wire.query);
  const req = http.request({
    socketPath: wire.socketPath,
    method: wire.method,
    // A path that already has a query (`/containers/json?all=1`) gets `&…`.
    path: wire.path + (wire.path.includes('?') ? query.replace('?', '&') : query),
    headers: { ...headers, ...wire.headers },
    agent: wire.agent,
    signal: wire.signal,
  });
  req.end(payload);
  return req;
}

/**
 * Resolves with the response as soon as its headers arrive, whatever its
 * status; the body is left to stream.
 * @throws whatever {@link connectionError} makes of a socket error.
 */
export function responseOf(req: ClientRequest, socketPath: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    req.on('error', (err) => reject(connectionError(err, socketPath)));
    req.on('response', resolve);
  });
}

/**
 * Names a failed connection: ENOENT (no socket file) and ECONNREFUSED (nobody
 * listening) become DaemonUnreachableError for `unix://<socketPath>`; any other
 * error is returned unchanged.
 */
export function connectionError(err: NodeJS.ErrnoException, socketPath: string): Error {
  if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') {
    return new DaemonUnreachableError(`unix://${socketPath}`, { cause: err });
  }
  return err;
}

/** Reads a whole body as UTF-8 text ('' for an empty body). */
export async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One response header as a string (the first, if repeated); undefined when it is missing or empty. */
export function headerOf(res: IncomingMessage, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}
