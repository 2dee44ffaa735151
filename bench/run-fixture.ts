/**
 * What the run section measures against, set up once and torn down at the end:
 *
 * ```
 * <workDir>/run/
 * ├── images/busybox/      the offline busybox (fixtures/base-images.ts), an OCI layout
 * ├── registry/            the reference registry (in this process) holding it as library/busybox:latest
 * ├── d.sock, data/        minidockerd of the selected tree: --registry-mirror <that registry>, busybox pulled
 * │   └── runtime/runc/    the daemon's runc --root (compose.ts): the exec case's `runc exec` joins its container there
 * ├── rootfs/              busybox unpacked once: the rootfs of runc's bundle and podman's --rootfs
 * ├── bundle/config.json   the runtime spec the daemon would write for `run --network none busybox true`
 * └── runc/                runc --root of the raw runc rows
 * ```
 * Teardown force-removes whatever containers are left, stops the daemon by
 * pid (SIGTERM, then SIGKILL), force-deletes what runc still knows under
 * either root, unmounts anything still mounted under the folder and removes it.
 * Should the bench stop without it (Ctrl-C: main's SIGINT listener runs the
 * hooks of bench/interrupt.ts, removes the work folder, then exits; or an
 * exit meanwhile), a hook kills the daemon by pid, `runc delete -f`s every
 * container under both roots and unmounts what is mounted under the folder
 * before the folder goes: the containers' state and mounts are still there
 * to undo, and main's removal finds nothing mounted to descend into.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { implDir, repoRoot } from '../kata/impl-switch.js';
import { buildSpec, hostNofileLimit, writeBundle } from '../solutions/runtime/bundle.js';
import { startRegistry } from '../solutions/registry/server.js';
import type { Registry } from '../solutions/registry/server.js';
import { unpackImage } from '../solutions/image/unpack-image.js';
import type { LayerSource } from '../solutions/image/unpack-image.js';
import { parseDigest } from '../solutions/image/digest.js';
import { buildBaseImages } from '../fixtures/base-images.js';
import { mountsUnder } from '../fixtures/host-state.js';
import { pushLayout } from '../fixtures/registry-push.js';
import { onInterrupt } from './interrupt.js';
import { run } from './tools.js';

/** The options of a {@link Client} call the section passes (solutions/client/request-options.ts). */
export interface ClientRequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Aborts the request and its streamed response: the section's deadlines. */
  signal?: AbortSignal;
}

/** The slice of the selected tree's EngineClient the section uses (solutions/client/engine-client.ts). */
export interface Client {
  ping(): Promise<unknown>;
  json<T>(method: string, path: string, options?: ClientRequestOptions): Promise<T>;
  jsonLines<T>(method: string, path: string, options?: { query?: Record<string, string>; headers?: Record<string, string> }): AsyncGenerator<T>;
  /** The response once its headers arrived, its body still to read (exec start without Upgrade). */
  request(method: string, path: string, options?: ClientRequestOptions): Promise<IncomingMessage>;
  /** The raw connection after `101 UPGRADED` (exec start as the docker CLI sends it). */
  hijack(method: string, path: string, options?: ClientRequestOptions): Promise<Duplex>;
}

/** Everything the run cases need. */
export interface RunFixture {
  dir: string;
  /** The daemon's socket: `-H unix://<socketPath>`. */
  socketPath: string;
  /** An EngineClient of the selected tree on that socket, already pinged. */
  client: Client;
  /** busybox unpacked, for runc's bundle and podman's `--rootfs`. */
  rootfs: string;
  /** A bundle dir whose config.json runs `true` in `rootfs`. */
  bundle: string;
  /** runc's `--root` for the raw rows. */
  runcRoot: string;
  /** The daemon's runc `--root` (`<data root>/runtime/runc`), where its containers are known by their Id. */
  daemonRuncRoot: string;
  /** The daemon's pid (its VmRSS, its CPU time). */
  daemonPid: number;
  /** What the daemon wrote to stderr so far (why it failed, when it did). */
  daemonLog(): string;
  teardown(): Promise<void>;
}

interface ImageLayout {
  manifests: { digest: string }[];
}

/** busybox's layers, from its OCI layout, as unpackImage wants them (the port section unpacks them too). */
export async function layoutLayers(layoutDir: string): Promise<LayerSource[]> {
  const blobPath = (digest: string) => path.join(layoutDir, 'blobs', ...digest.split(':'));
  const blob = async <T>(digest: string) => JSON.parse(await fs.readFile(blobPath(digest), 'utf8')) as T;
  const index = JSON.parse(await fs.readFile(path.join(layoutDir, 'index.json'), 'utf8')) as ImageLayout;
  const manifest = await blob<{ config: { digest: string }; layers: { digest: string }[] }>(index.manifests[0]!.digest);
  const config = await blob<{ rootfs: { diff_ids: string[] } }>(manifest.config.digest);
  return manifest.layers.map((l, i) => ({ open: async () => createReadStream(blobPath(l.digest)), diffID: parseDigest(config.rootfs.diff_ids[i]!) }));
}

/**
 * The spec the daemon builds for `run --network none busybox true` (lesson 10's
 * buildSpec with the same options): docker's capabilities, mounts, masked
 * paths and rlimits, a network namespace, a cgroup in root mode, a user
 * namespace when not root. The port section runs other `args` in a cgroup of its own.
 */
export async function writeRuncBundle(bundle: string, rootfs: string, args: string[] = ['true'], cgroup = 'runc'): Promise<void> {
  const uid = process.getuid?.() ?? 0;
  const rootless = uid === 0 ? undefined : { uid, gid: process.getgid?.() ?? uid };
  const spec = buildSpec({
    rootfs,
    args,
    env: ['HOSTNAME=benchmark', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    cwd: '/',
    user: { uid: 0, gid: 0, additionalGids: [] },
    hostname: 'benchmark',
    terminal: false,
    networkMode: 'none',
    ...(rootless ? { rootless } : { cgroupsPath: `/minidocker-bench/${cgroup}` }),
    hostNofileLimit: hostNofileLimit(),
  });
  await fs.mkdir(bundle, { recursive: true });
  await writeBundle(bundle, spec);
}

/** Starts `node bin/minidockerd.js` of the selected tree and waits for its "listening on" line. */
async function startDaemon(socketPath: string, dataRoot: string, mirror: string): Promise<{ child: ChildProcess; output: () => string }> {
  const bin = path.join(repoRoot, 'bin', 'minidockerd.js');
  const child = spawn(process.execPath, [bin, '-H', `unix://${socketPath}`, '--data-root', dataRoot, '--registry-mirror', mirror], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: false,
  });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  child.once('error', () => undefined);
  for (let waited = 0; !output.includes('listening on'); waited += 50) {
    if (child.exitCode !== null || waited > 30_000) {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      const lines = output.trim().split('\n');
      const why = lines.find((l) => /^\w*Error\b/.test(l)) ?? lines.slice(-2).join(' / ');
      throw new Error(`minidockerd did not start: ${why || `exit ${child.exitCode}`}`);
    }
    await sleep(50);
  }
  return { child, output: () => output };
}

/** Stops a child by pid: SIGTERM, then SIGKILL after `graceMs`. */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * What an interrupted bench does before main removes the work folder: kills
 * the daemon (by pid), `runc delete -f`s every container under `roots`
 * (their shims outlive the daemon) and unmounts what is under `dir`, each
 * command awaited in turn (main's SIGINT listener, bench/interrupt.ts).
 */
async function abandon(daemonPid: number | undefined, roots: string[], dir: string): Promise<void> {
  killQuietly(daemonPid);
  for (const root of roots) {
    const list = await run('runc', ['--root', root, 'list', '-q']).catch(() => '');
    for (const id of list.split('\n').filter(Boolean)) await run('runc', ['--root', root, 'delete', '-f', id]).catch(() => undefined);
  }
  for (const mount of mountsUnder(dir)) await run('umount', ['-l', mount]).catch(() => undefined);
}

/** {@link abandon}, blocking: all an exit hook may do. */
function abandonSync(daemonPid: number | undefined, roots: string[], dir: string): void {
  killQuietly(daemonPid);
  for (const root of roots) {
    const list = spawnSync('runc', ['--root', root, 'list', '-q'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
    for (const id of (list.stdout ?? '').split('\n').filter(Boolean)) spawnSync('runc', ['--root', root, 'delete', '-f', id], { stdio: 'ignore', timeout: 10_000 });
  }
  for (const mount of mountsUnder(dir)) spawnSync('umount', ['-l', mount], { stdio: 'ignore', timeout: 10_000 });
}

/** SIGKILL to `pid`, if there is one and it is still there. */
function killQuietly(pid: number | undefined): void {
  try {
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/**
 * Sets the fixture up: base images, registry, daemon, `docker pull busybox`
 * through the daemon, the unpacked rootfs and runc's bundle.
 * @param label the progress lines' prefix: the section's name.
 * @throws Error saying which step failed (the steps done so far are undone).
 */
export async function setUpRunFixture(workDir: string, say: (line: string) => void, label = 'run'): Promise<RunFixture> {
  const dir = await fs.mkdtemp(path.join(workDir, 'run-'));
  let registry: Registry | undefined;
  let daemon: ChildProcess | undefined;
  let daemonLog = (): string => '';
  let client: Client | undefined;
  const runcRoot = path.join(dir, 'runc');
  const dataRoot = path.join(dir, 'data');
  // compose.ts: `--root <data root>/runtime/<basename of --runtime>`, runc by default.
  const daemonRuncRoot = path.join(dataRoot, 'runtime', 'runc');
  let abandoned = false;
  const roots = [runcRoot, daemonRuncRoot];
  // Run by main's SIGINT listener before it removes the work folder, or at an exit meanwhile (synchronously).
  const unhook = onInterrupt(async () => {
    if (!abandoned) await abandon(daemon?.pid, roots, dir);
    abandoned = true;
  });
  const atExit = (): void => {
    if (!abandoned) abandonSync(daemon?.pid, roots, dir);
    abandoned = true;
  };
  process.on('exit', atExit);
  const teardown = async (): Promise<void> => {
    try {
      if (client) {
        const signal = AbortSignal.timeout(30_000);
        const left = await client.json<{ Id: string }[]>('GET', '/containers/json', { query: { all: 1 }, signal }).catch(() => []);
        for (const c of left ?? []) await client.json('DELETE', `/containers/${c.Id}`, { query: { force: 1 }, signal }).catch(() => undefined);
      }
      if (daemon) await stopChild(daemon, 5000);
      await registry?.close().catch(() => undefined);
      // The raw rows' containers, and any of the daemon's its remove did not take (their shims outlive the daemon).
      for (const root of [runcRoot, daemonRuncRoot]) {
        if (!(await fs.stat(root).then(() => true, () => false))) continue;
        const list = await run('runc', ['--root', root, 'list', '-q']).catch(() => '');
        for (const id of list.split('\n').filter(Boolean)) await run('runc', ['--root', root, 'delete', '-f', id]).catch(() => undefined);
      }
      for (const mount of mountsUnder(dir)) await run('umount', ['-l', mount]).catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true });
    } finally {
      unhook();
      process.off('exit', atExit);
    }
  };
  try {
    say(`${label}: building the busybox image …`);
    const images = await buildBaseImages(path.join(dir, 'images'));
    registry = await startRegistry({ listen: '127.0.0.1:0', root: path.join(dir, 'registry') });
    await pushLayout(registry.url, 'library/busybox', 'latest', images.busybox.layoutDir);

    const socketPath = path.join(dir, 'd.sock');
    say(`${label}: starting minidockerd and pulling busybox …`);
    const started = await startDaemon(socketPath, dataRoot, registry.url);
    daemon = started.child;
    daemonLog = started.output;
    const modulePath = path.join(implDir(), 'client', 'engine-client.ts');
    const { EngineClient } = (await import(pathToFileURL(modulePath).href)) as { EngineClient: new (o: { socketPath: string }) => Client };
    client = new EngineClient({ socketPath });
    await client.ping();
    const query = { fromImage: 'busybox', tag: 'latest' };
    for await (const m of client.jsonLines<{ error?: string }>('POST', '/images/create', { query, headers: { 'X-Registry-Auth': 'e30=' } })) {
      if (m.error) throw new Error(`pulling busybox through minidockerd: ${m.error}`);
    }

    const rootfs = path.join(dir, 'rootfs');
    await unpackImage(rootfs, await layoutLayers(images.busybox.layoutDir));
    const bundle = path.join(dir, 'bundle');
    await writeRuncBundle(bundle, rootfs);
    await fs.mkdir(runcRoot, { recursive: true });
    return { dir, socketPath, client, rootfs, bundle, runcRoot, daemonRuncRoot, daemonPid: daemon.pid!, daemonLog: () => daemonLog(), teardown };
  } catch (err) {
    await teardown();
    throw err;
  }
}

/** The machine's user, for the section's header: root, or rootless as uid N. */
export function runMode(): string {
  const uid = process.getuid?.();
  return uid === 0 ? 'root' : `rootless (uid ${uid ?? '?'}, ${os.userInfo().username})`;
}
