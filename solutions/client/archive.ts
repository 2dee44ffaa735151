/**
 * Provided: the typed archive calls behind `minidocker cp` (lesson 15), one
 * function per endpoint (moby's `client/container_copy.go`). The tars stream
 * both ways: nothing here holds a whole archive in memory.
 *
 * ```
 * containerStatPath(client, id, path)            HEAD /containers/{id}/archive?path=   → ContainerPathStat (from the header)
 * copyFromContainer(client, id, path)            GET  /containers/{id}/archive?path=   → { content: the tar, streaming; stat }
 * copyToContainer(client, id, path, tar, opts)   PUT  /containers/{id}/archive?[copyUIDGID=true&]noOverwriteDirNonDir=true&path=
 *                                                     body: the tar, chunked as it is produced
 * X-Docker-Container-Path-Stat: base64({"name":"hosts","size":174,"mode":420,"mtime":"…","linkTarget":""})
 * ```
 * Each call throws what EngineClient throws: NotFoundError for an unknown
 * container or a path that does not exist, …
 */
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ContainerPathStat } from '../api/volume-types.js';
import type { EngineClient } from './engine-client.js';
import { errorFromResponse } from './errors.js';
import { encodeQuery, readText, responseOf } from './http-transport.js';
import { DEFAULT_USER_AGENT, wireRequest } from './request-options.js';

/** The header that carries a path's stat, base64-encoded JSON. */
export const PATH_STAT_HEADER = 'X-Docker-Container-Path-Stat';

/** A container path's tar and what the daemon said about the path. */
export interface ContainerArchive {
  /** The tar, as it streams in: read it to the end or destroy it. */
  content: IncomingMessage;
  stat: ContainerPathStat;
}

/** Options of `copyFromContainer`. */
export interface CopyFromContainerOptions {
  /** Aborts the request and the tar's stream. */
  signal?: AbortSignal;
}

/** Options of `copyToContainer`, docker's `CopyToContainerOptions`. */
export interface CopyToContainerOptions {
  /** Let a file replace a directory and the other way round; without it docker sends `noOverwriteDirNonDir=true`. */
  allowOverwriteDirWithFile?: boolean;
  /** `cp -a`: keep the tar's uid and gid (`copyUIDGID=true`) instead of the container's root user. */
  copyUIDGID?: boolean;
  /** Aborts the upload. */
  signal?: AbortSignal;
}

/**
 * Reads the `X-Docker-Container-Path-Stat` header of a HEAD or GET answer.
 * @throws Error `unable to decode container path stat header: …` when it is missing or not base64 JSON.
 */
export function pathStatOf(res: IncomingMessage): ContainerPathStat {
  const encoded = res.headers[PATH_STAT_HEADER.toLowerCase()];
  try {
    const text = Buffer.from(String(encoded ?? ''), 'base64').toString('utf8');
    const stat = JSON.parse(text) as ContainerPathStat;
    if (typeof stat !== 'object' || stat === null) throw new Error(`not an object: ${text}`);
    return stat;
  } catch (err) {
    throw new Error(`unable to decode container path stat header: ${(err as Error).message}`);
  }
}

/** `HEAD /containers/{id}/archive?path=`: the stat of a path in the container (a symlink is not followed). */
export async function containerStatPath(client: EngineClient, id: string, path: string): Promise<ContainerPathStat> {
  const res = await client.request('HEAD', `/containers/${encodeURIComponent(id)}/archive`, { query: { path } });
  res.resume();
  return pathStatOf(res);
}

/**
 * `GET /containers/{id}/archive?path=`: a tar of the path, its entries named
 * after the path's base name (`/etc/hosts` → `hosts`; `/etc/.` → `./…`).
 * @returns once the headers are in; the tar streams from `content`.
 * @throws NotFoundError for a missing container or path; Error `unable to get resource stat from response: …`.
 */
export async function copyFromContainer(client: EngineClient, id: string, path: string, options: CopyFromContainerOptions = {}): Promise<ContainerArchive> {
  const res = await client.request('GET', `/containers/${encodeURIComponent(id)}/archive`, { query: { path }, signal: options.signal });
  try {
    return { content: res, stat: pathStatOf(res) };
  } catch (err) {
    res.destroy();
    throw new Error(`unable to get resource stat from response: ${(err as Error).message}`);
  }
}

/**
 * `PUT /containers/{id}/archive?path=`: extracts the tar `content` into the
 * directory `path` of the container, streaming it as it is read.
 * EngineClient sends JSON bodies only, so this call opens its own request
 * (same socket, headers and version) and pipes the tar into it, chunked.
 * @throws the daemon's error (NotFoundError for a missing container or
 *   directory, …); the tar's own error when `content` fails while it streams.
 */
export async function copyToContainer(
  client: EngineClient,
  id: string,
  path: string,
  content: Readable,
  options: CopyToContainerOptions = {},
): Promise<void> {
  const version = await client.negotiate();
  // In docker's order (Go sorts query keys); `true`, not `1`, as docker sends these two.
  const query = {
    copyUIDGID: options.copyUIDGID ? 'true' : undefined,
    noOverwriteDirNonDir: options.allowOverwriteDirWithFile ? undefined : 'true',
    path,
  };
  // The docker CLI's client labels a raw body text/plain; dockerd does not read the type.
  const target = { socketPath: client.socketPath, userAgent: DEFAULT_USER_AGENT, agent: http.globalAgent };
  const wire = wireRequest(target, 'PUT', `/v${version}/containers/${encodeURIComponent(id)}/archive`, { query, headers: { 'Content-Type': 'text/plain' } }, false);
  // A connection of its own: an upload that fails half-way must not leave a broken socket in a pool.
  const req = http.request({ socketPath: wire.socketPath, method: 'PUT', path: wire.path + encodeQuery(wire.query), headers: wire.headers, agent: false, signal: options.signal });
  const response = responseOf(req, client.socketPath);
  let sourceError: Error | undefined;
  content.once('error', (err) => (sourceError ??= err));
  const sent = pipeline(content, req).then(() => undefined, (err: Error) => err);
  let res: IncomingMessage;
  try {
    res = await response;
  } catch (err) {
    throw sourceError ?? err; // a tar that failed cut the request short: its error is the one to report
  }
  const status = res.statusCode ?? 0;
  if (status >= 400) {
    const body = await readText(res); // the daemon may answer before it read the whole tar (an unknown container)
    content.destroy();
    throw errorFromResponse(status, body);
  }
  await readText(res);
  const failure = await sent;
  if (failure) throw sourceError ?? failure;
}
