/**
 * minidockerd's HTTP server on a unix socket.
 *
 * The socket is the daemon's front door and its only lock: whoever can
 * connect to it can run containers, so it is created owner-only (0600), or
 * 0660 for one group with `--group`. Only one daemon may serve a path; a
 * socket file left behind by a crashed daemon is stale and gets replaced.
 *
 * ```
 * <data root>/        created 0700 if missing; later lessons keep images and containers here
 * └── engine-id       the daemon's ID (a UUID, 0600), made at the first start, read at every later one
 * <socket path>       srw------- (or srw-rw---- root:<group>), removed on close
 * ```
 */
import http from 'node:http';
import net from 'node:net';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { chmod, chown, link, lstat, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NotImplementedError } from '../../errors.js';
import { packageVersion } from '../../config.js';
import { lookupGroupId } from '../system/host-facts.js';
import { engineHeaders } from './http.js';
import type { DaemonInfo, RouteRegistrar } from './route-registrar.js';
import { Router } from './router.js';
import { registerSystemRoutes } from '../routes/system.js';

/** Options of {@link startDaemon}. */
export interface DaemonOptions {
  socketPath: string;
  dataRoot: string;
  /** A group name (or gid) that gets read-write access: socket mode 0660, group-owned. */
  group?: string;
  /** Defaults to the version in package.json. */
  version?: string;
  /** Route groups added after the system routes. */
  routes?: RouteRegistrar[];
}

/** A running daemon. */
export interface Daemon extends DaemonInfo {
  server: http.Server;
  /** Stops accepting, ends every open connection, removes the socket file. Resolves when done. */
  close(): Promise<void>;
}

/**
 * Starts the daemon: creates the data root (0700), builds the router, replaces
 * a stale socket, listens with owner-only permissions.
 * @throws Error when another daemon listens on the path, when the path is not
 *   a socket, or when `group` names no group. Nothing is left behind then.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  // TODO(lesson-03): Create the data root, wire a Router into an http.Server, then listen on the socket.
  // HINT: resolve options.group with lookupGroupId first (unknown → throw, before touching anything);
  // HINT: mkdir(dataRoot, { recursive: true, mode: 0o700 }), then id = await loadOrCreateEngineId(dataRoot);
  // HINT: version defaults to packageVersion(); infoSources starts [].
  // HINT: registerSystemRoutes, then every options.routes registrar; the request listener sets
  // HINT: engineHeaders(version) on `res` and calls router.handle(req, res).
  // HINT: track sockets from the 'connection' event in a Set for closeServer; then
  // HINT: removeStaleSocket and listenOnSocket; close() is closeServer(server, connections, socketPath).
  throw new NotImplementedError('lesson-03: startDaemon');
}

/** The file in the data root that holds the daemon's ID, named as dockerd names its own. */
export const ENGINE_ID_FILE = 'engine-id';

/**
 * The daemon's ID, as dockerd keeps it: read from `<dataRoot>/engine-id`, or,
 * at the first start on a data root, a new random UUID put there once (0600).
 * So the ID stays the same across restarts, and a new data root is a new
 * daemon with a new ID. The new ID is written to a temp file first and then
 * linked to its name: link(2) never replaces a name, so the file appears whole
 * or not at all, and when two starts race, the second reads the first's ID.
 * The data root must exist.
 * @throws the file system's error other than ENOENT (EACCES, EISDIR …).
 */
export async function loadOrCreateEngineId(dataRoot: string): Promise<string> {
  // TODO(lesson-03): Return the ID kept in <dataRoot>/engine-id; when there is none yet, make one and keep it.
  // HINT: readFile(path.join(dataRoot, ENGINE_ID_FILE), 'utf8'), trimmed; only ENOENT means "none yet": rethrow anything else.
  // HINT: a new ID is randomUUID(): writeFile it (mode 0o600) to a temp file in dataRoot, then link(tmp, file), so that
  // HINT: engine-id appears whole or not at all; EEXIST → another start won: read its ID. Always rm the temp file.
  throw new NotImplementedError('lesson-03: loadOrCreateEngineId');
}

/**
 * Makes `socketPath` free to bind. Nothing there: done. A socket nobody
 * listens on (connect fails with ECONNREFUSED): a crashed daemon's leftover,
 * removed. A socket that accepts a connection belongs to a live daemon, and
 * anything that is not a socket is not ours: both are refused, untouched.
 * @throws Error `another daemon is already listening on <path>`, or `<path> exists and is not a socket …`.
 */
export async function removeStaleSocket(socketPath: string): Promise<void> {
  // TODO(lesson-03): Remove a stale socket; refuse a live one and anything that is not a socket.
  // HINT: lstat (ENOENT → nothing to do; !isSocket() → throw); then net.connect(socketPath):
  // HINT: 'connect' → alive, throw; 'error' with ECONNREFUSED → stale, rm it.
  throw new NotImplementedError('lesson-03: removeStaleSocket');
}

/**
 * Listens on `socketPath` so that the socket is never, even briefly,
 * reachable by others: it is bound inside a private directory (0700), given
 * its mode (0600, or 0660 and the group's ownership with a gid) there, and
 * only then renamed to `socketPath`, where it appears complete.
 * The process umask is never touched: it is the whole process's, and libuv's
 * thread pool creates other code's files at the same moment.
 */
export async function listenOnSocket(server: http.Server, socketPath: string, gid?: number): Promise<void> {
  // TODO(lesson-03): Bind in a private directory, set the mode (and group), then rename the socket to socketPath.
  // HINT: mkdtemp(path.join(path.dirname(socketPath), '.bind-')) makes a 0700 directory; listen on a path inside it,
  // HINT: wrapping server.listen(path, cb) in a Promise that rejects on the server's 'error' event.
  // HINT: with a gid: chown(bound, -1, gid) and chmod 0660, else chmod 0600; then rename(bound, socketPath).
  // HINT: on a failure after listening, close the server; always rm the private directory (in a finally).
  throw new NotImplementedError('lesson-03: listenOnSocket');
}

/**
 * Shuts the server down: stops accepting, destroys every open connection
 * (idle keep-alives and streams alike, as dockerd does), waits until the
 * server has closed, then removes the socket file. Node would unlink the path
 * the server bound, but that was the private name {@link listenOnSocket}
 * renamed away. A daemon killed with SIGKILL never gets here, which is how
 * stale sockets are born.
 */
export async function closeServer(server: http.Server, connections: Set<Socket>, socketPath: string): Promise<void> {
  // TODO(lesson-03): Stop accepting, destroy every tracked connection, and wait for the server to close.
  // HINT: call server.close(cb) first (it stops accepting), then destroy the sockets, await cb,
  // HINT: and rm(socketPath, { force: true }): Node unlinks only the private path it bound.
  throw new NotImplementedError('lesson-03: closeServer');
}
