/**
 * Provided: the archive API behind `docker cp` and testcontainers' copy
 * functions — HTTP in, an {@link ArchiveBackend} call
 * (containers/archive-service.ts), HTTP out, as dockerd answers.
 *
 * ```
 * HEAD /containers/{id}/archive?path=   200 X-Docker-Container-Path-Stat: base64 JSON {name,size,mode,mtime,linkTarget}
 * GET  /containers/{id}/archive?path=   200 application/x-tar (the same header), the tar streamed as it is read
 * PUT  /containers/{id}/archive?path=&noOverwriteDirNonDir=&copyUIDGID=   body: a tar, extracted as it arrives; 200
 *      404 No such container: x | Could not find the file <path> in container <ref>
 *      400 bad parameter: pathcannot be empty | extraction point is not a directory | … is marked read-only
 *      413 archive is larger than <n> bytes
 * ```
 * `{id}` is a full id, a name or a unique id prefix; running and stopped
 * containers alike. Every handler first waits for the records to be loaded.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArchiveBackend } from '../backends.js';
import { encodePathStat, PATH_STAT_HEADER } from '../containers/archive-support.js';
import type { RouteContext, RouteHandler } from '../server/router.js';
import type { RouteRegistrar } from '../server/route-registrar.js';
import { lingerBeforeClose, validated } from '../server/validate.js';
import type { RequestSchemas, Validated } from '../server/validate.js';
import { archiveQuery, putArchiveQuery } from './archive-requests.js';
import type { ArchiveQuery, PutArchiveQuery } from './archive-requests.js';


/** What the archive routes are given by the composition root. */
export interface ArchiveRoutesOptions {
  backend: ArchiveBackend;
  /** Settles once the container records are loaded; a failure is every request's answer. */
  ready: Promise<void>;
}

/** An archive handler: the backend, the request, and its checked query. */
export type ArchiveHandler<Q> = (backend: ArchiveBackend, ctx: RouteContext, input: Validated<Q>) => Promise<void>;

/** Registers the archive API on the given backend. */
export function registerArchiveRoutes(options: ArchiveRoutesOptions): RouteRegistrar {
  const { backend, ready } = options;
  const route = <Q>(schemas: RequestSchemas<Q, undefined>, handler: ArchiveHandler<Q>): RouteHandler => {
    const checked = validated(schemas, (ctx, input) => handler(backend, ctx, input));
    return async (ctx) => {
      await ready;
      await checked(ctx);
    };
  };
  return (router) => {
    router.add('HEAD', '/containers/{id}/archive', route({ query: archiveQuery }, headContainersArchive));
    router.add('GET', '/containers/{id}/archive', route({ query: archiveQuery }, getContainersArchive));
    router.add('PUT', '/containers/{id}/archive', route({ query: putArchiveQuery }, putContainersArchive));
  };
}

/** `HEAD /containers/{id}/archive?path=` → 200 with the stat header, no body. */
export async function headContainersArchive(backend: ArchiveBackend, ctx: RouteContext, { query }: Validated<ArchiveQuery>): Promise<void> {
  const stat = await backend.stat(ctx.params.id ?? '', query.path);
  ctx.res.writeHead(200, { [PATH_STAT_HEADER]: encodePathStat(stat) });
  ctx.res.end();
}

/** `GET /containers/{id}/archive?path=` → 200 `application/x-tar`, streamed; a read error cuts the response. */
export async function getContainersArchive(backend: ArchiveBackend, ctx: RouteContext, { query }: Validated<ArchiveQuery>): Promise<void> {
  const { stat, tar } = await backend.get(ctx.params.id ?? '', query.path);
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar', [PATH_STAT_HEADER]: encodePathStat(stat) });
  await pipeline(tar, ctx.res);
}

/**
 * `PUT /containers/{id}/archive?path=&noOverwriteDirNonDir=&copyUIDGID=` → 200.
 * A refusal can come before the whole body arrived: the connection then
 * closes after the answer, without reading (or waiting for) the rest.
 */
export async function putContainersArchive(backend: ArchiveBackend, ctx: RouteContext, { query }: Validated<PutArchiveQuery>): Promise<void> {
  try {
    await backend.put(ctx.params.id ?? '', query.path, ctx.req, { noOverwriteDirNonDir: query.noOverwriteDirNonDir, copyUIDGID: query.copyUIDGID });
  } catch (err) {
    if (!ctx.req.readableEnded) {
      ctx.res.setHeader('Connection', 'close');
      lingerBeforeClose(ctx.req.socket);
    }
    throw err;
  }
  ctx.res.writeHead(200, { 'Content-Length': 0 });
  ctx.res.end();
}
