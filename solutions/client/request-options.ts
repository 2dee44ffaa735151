/**
 * Provided: the request options under lesson 01's EngineClient.
 *
 * What EngineClient's requests are made of: the options a caller passes, and
 * the wire request built from them with the client's own headers.
 *
 * ```
 * client.json('POST', '/containers/create', { query: { name: 'web' }, body })
 *   └─ wireRequest() → { socketPath, method, path: '/v1.41/containers/create', query, body,
 *                        headers: { Host, User-Agent, …options.headers }, agent }
 * ```
 */
import type { Agent } from 'node:http';
import type { QueryValue, WireRequest } from './http-transport.js';

/** How to reach the daemon. */
export interface EngineClientOptions {
  /** Path of the daemon's unix socket. */
  socketPath: string;
  /** Use this API version instead of negotiating one (like `DOCKER_API_VERSION`). */
  version?: string;
  /** The `User-Agent` header; defaults to {@link DEFAULT_USER_AGENT}. */
  userAgent?: string;
}

/** Options of one request. */
export interface RequestOptions {
  /** Query parameters, encoded with URLSearchParams (see `encodeQuery`). */
  query?: Record<string, QueryValue>;
  /** A body to send as JSON (`Content-Type: application/json`); none when undefined. */
  body?: unknown;
  /** Extra request headers; they win over the client's own (Host, User-Agent, Content-Type). */
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

/** The `User-Agent` of a client that was given none. */
export const DEFAULT_USER_AGENT = 'minidocker/0.1.0';

// dockerd ignores Host on a unix socket; the docker CLI sends `api.moby.localhost`.
const HOST_HEADER = 'api.minidocker.localhost';

/** The parts of a client every request carries. */
export interface RequestTarget {
  /** Path of the daemon's unix socket. */
  socketPath: string;
  /** The `User-Agent` header. */
  userAgent: string;
  /** The client's keep-alive pool; a hijack never uses it. */
  agent: Agent;
}

/**
 * The wire request for `path` (already versioned, or `/_ping`): the Host and
 * User-Agent headers, then the caller's headers (which win). With `upgrade`
 * (a hijack) it adds `Connection: Upgrade` and `Upgrade: tcp` and asks for a
 * connection of its own (`agent: false`), as the docker CLI does.
 */
export function wireRequest(target: RequestTarget, method: string, path: string, options: RequestOptions, upgrade: boolean): WireRequest {
  const headers: Record<string, string> = { Host: HOST_HEADER, 'User-Agent': target.userAgent };
  if (upgrade) Object.assign(headers, { Connection: 'Upgrade', Upgrade: 'tcp' });
  return {
    socketPath: target.socketPath,
    method,
    path,
    query: options.query,
    body: options.body,
    headers: { ...headers, ...options.headers },
    agent: upgrade ? false : target.agent,
    signal: options.signal,
  };
}
