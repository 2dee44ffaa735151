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
  const { socketPath, dataRoot } = options;
  let gid: number | undefined;
  if (options.group !== undefined) {
    gid = await lookupGroupId(options.group);
    if (gid === undefined) throw new Error(`group "${options.group}" does not exist: --group needs a group name or gid`);
  }
  await mkdir(dataRoot, { recursive: true, mode: 0o700 });
  const id = await loadOrCreateEngineId(dataRoot);
  const info: DaemonInfo = { socketPath, dataRoot, version: options.version ?? packageVersion(), id, infoSources: [] };

  const router = new Router();
  registerSystemRoutes(router, info);
  for (const register of options.routes ?? []) register(router, info);

  const headers = engineHeaders(info.version);
  const server = http.createServer((req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    void router.handle(req, res);
  });
  // Hijacked streams (later lessons) leave the HTTP server's bookkeeping, so track sockets ourselves.
  const connections = new Set<Socket>();
  server.on('connection', (socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });

  await removeStaleSocket(socketPath);
  await listenOnSocket(server, socketPath, gid);
  return { ...info, server, close: () => closeServer(server, connections, socketPath) };
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
  const file = path.join(dataRoot, ENGINE_ID_FILE);
  try {
    const kept = (await readFile(file, 'utf8')).trim();
    if (kept !== '') return kept;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = randomUUID();
  const tmp = path.join(dataRoot, `.${ENGINE_ID_FILE}.${id}.tmp`);
  await writeFile(tmp, id, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, file);
    return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return (await readFile(file, 'utf8')).trim(); // another start made it first
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Makes `socketPath` free to bind. Nothing there: done. A socket nobody
 * listens on (connect fails with ECONNREFUSED): a crashed daemon's leftover,
 * removed. A socket that accepts a connection belongs to a live daemon, and
 * anything that is not a socket is not ours: both are refused, untouched.
 * @throws Error `another daemon is already listening on <path>`, or `<path> exists and is not a socket …`.
 */
export async function removeStaleSocket(socketPath: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!stats.isSocket()) {
    throw new Error(`${socketPath} exists and is not a socket: refusing to replace it (remove it yourself if it is not needed)`);
  }
  const alive = await new Promise<boolean>((resolve, reject) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve(false);
      else reject(new Error(`cannot check ${socketPath}: ${err.message}`, { cause: err }));
    });
  });
  if (alive) throw new Error(`another daemon is already listening on ${socketPath}`);
  await rm(socketPath, { force: true });
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
  // Next to the socket, so that the rename stays on one filesystem; a short name, because a
  // socket path may not exceed 107 bytes.
  const privateDir = await mkdtemp(path.join(path.dirname(socketPath), '.bind-'));
  try {
    const bound = path.join(privateDir, 's');
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(bound, () => {
        server.off('error', reject);
        resolve();
      });
    });
    try {
      if (gid !== undefined) await chown(bound, -1, gid);
      await chmod(bound, gid === undefined ? 0o600 : 0o660);
      await rename(bound, socketPath);
    } catch (err) {
      await new Promise((resolve) => server.close(resolve));
      throw err;
    }
  } finally {
    await rm(privateDir, { recursive: true, force: true });
  }
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
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of connections) socket.destroy();
  await closed;
  await rm(socketPath, { force: true });
}
